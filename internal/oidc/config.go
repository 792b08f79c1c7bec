package oidc

import (
	"errors"
	"fmt"
	"maps"
	"net"
	"net/url"
	"slices"
	"strings"

	"github.com/wardhq/ward/internal/auth"
)

// Defaults for the fields of Config left empty.
var (
	DefaultScopes        = []string{"openid", "profile", "email"}
	DefaultRoleClaim     = "roles"
	DefaultUsernameClaim = "preferred_username"
)

// Config configures sign-on with one OpenID provider.
type Config struct {
	// Issuer is the provider's issuer URL, as its discovery document gives
	// it: https://login.microsoftonline.com/<tenant ID>/v2.0 for Entra ID.
	Issuer string
	// ClientID is the application (client) ID of Ward's registration.
	ClientID string
	// ClientSecret is read from a file or the environment. It is never
	// logged nor put in an error.
	ClientSecret string
	// RedirectURL is where the provider sends the browser back to, such as
	// https://ward.example.nhs.uk/auth/oidc/callback. It must be registered
	// with the provider exactly as written here.
	RedirectURL string
	// Scopes to ask for; default openid, profile and email. It must hold
	// openid.
	Scopes []string
	// RoleClaim names the claim holding the user's groups or app roles,
	// default "roles". A dotted path such as "realm_access.roles" walks
	// into nested objects; a claim whose own name has dots is found first.
	RoleClaim string
	// RoleMap maps a value of RoleClaim (a group's object ID or an app
	// role's value) to a Ward role. Values not in the map are ignored.
	RoleMap map[string]auth.Role
	// SiteClaim, when not empty, names the claim holding the sites the user
	// is limited to. Every user must then carry it; the value "*" stands for
	// every site.
	SiteClaim string
	// UsernameClaim names the claim that gives Identity.Username, default
	// "preferred_username"; "email" and then "sub" are used when it is
	// missing.
	UsernameClaim string
}

// Validate fills in the defaults of empty fields and reports the first bad
// field by its configuration key, such as "oidc: issuer: must be an https
// URL (or http on loopback)".
func (c *Config) Validate() error {
	c.setDefaults()
	if err := checkIssuer(c.Issuer); err != nil {
		return fmt.Errorf("oidc: issuer: %w", err)
	}
	if err := checkClient(c.ClientID, c.ClientSecret); err != nil {
		return err
	}
	if err := checkURL(c.RedirectURL); err != nil {
		return fmt.Errorf("oidc: redirect_url: %w", err)
	}
	if err := checkScopes(c.Scopes); err != nil {
		return fmt.Errorf("oidc: scopes: %w", err)
	}
	if err := checkRoleMap(c.RoleMap); err != nil {
		return fmt.Errorf("oidc: role_map: %w", err)
	}
	return checkClaims(c)
}

func (c *Config) setDefaults() {
	if len(c.Scopes) == 0 {
		c.Scopes = slices.Clone(DefaultScopes)
	}
	if c.RoleClaim == "" {
		c.RoleClaim = DefaultRoleClaim
	}
	if c.UsernameClaim == "" {
		c.UsernameClaim = DefaultUsernameClaim
	}
}

// clone copies c so that the caller's later changes to its slice and map
// do not reach a Provider.
func (c Config) clone() Config {
	c.Scopes = slices.Clone(c.Scopes)
	c.RoleMap = maps.Clone(c.RoleMap)
	return c
}

// errURL is the complaint about an issuer or redirect URL.
var errURL = errors.New("must be an https URL (or http on loopback)")

// checkURL accepts an absolute https URL, or an http one whose host is a
// loopback address, without user information or a fragment.
func checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.User != nil || u.Fragment != "" {
		return errURL
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if loopback(u.Hostname()) {
			return nil
		}
	}
	return errURL
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// entraShared are Entra ID's multi-tenant endpoints: their discovery
// document names no one issuer, and accepting them would let in users of
// any tenant.
var entraShared = []string{"common", "organizations", "consumers"}

func checkIssuer(s string) error {
	if err := checkURL(s); err != nil {
		return err
	}
	u, _ := url.Parse(s)
	if u.RawQuery != "" {
		return errors.New("must have no query")
	}
	tenant, _, _ := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
	if strings.EqualFold(u.Hostname(), "login.microsoftonline.com") &&
		slices.Contains(entraShared, strings.ToLower(tenant)) {
		return fmt.Errorf("names no one tenant: use the directory (tenant) ID, not %q", tenant)
	}
	return nil
}

// checkClient checks the client's ID and secret. The secret appears in no
// message.
func checkClient(id, secret string) error {
	if strings.TrimSpace(id) == "" {
		return errors.New("oidc: client_id: must be set")
	}
	if secret == "" {
		return errors.New("oidc: client_secret: must be set")
	}
	if strings.TrimSpace(secret) != secret {
		return errors.New("oidc: client_secret: has white space at an end (a newline from its file?)")
	}
	return nil
}

func checkScopes(scopes []string) error {
	for _, s := range scopes {
		if s == "" || strings.ContainsAny(s, " \t\r\n") {
			return fmt.Errorf("%q is not one scope", s)
		}
	}
	if !slices.Contains(scopes, "openid") {
		return errors.New("must include openid")
	}
	return nil
}

func checkRoleMap(m map[string]auth.Role) error {
	if len(m) == 0 {
		return errors.New("must map at least one claim value to a role")
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if k == "" {
			return errors.New("has an empty claim value")
		}
		if _, err := auth.ParseRole(string(m[k])); err != nil {
			return fmt.Errorf("%q: %w", k, err)
		}
	}
	return nil
}

// checkClaims checks the claim names, which may be dotted paths.
func checkClaims(c *Config) error {
	for _, f := range []struct{ key, path string }{
		{"role_claim", c.RoleClaim},
		{"site_claim", c.SiteClaim},
		{"username_claim", c.UsernameClaim},
	} {
		if f.path == "" {
			continue // only site_claim may be empty after defaults
		}
		if slices.Contains(strings.Split(f.path, "."), "") {
			return fmt.Errorf("oidc: %s: %q has an empty path segment", f.key, f.path)
		}
	}
	return nil
}
