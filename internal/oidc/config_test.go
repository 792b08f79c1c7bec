package oidc

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wardhq/ward/internal/auth"
)

func validConfig() Config {
	return Config{
		Issuer:       "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0",
		ClientID:     "0b5a2e1c-5d3f-4a8e-9c7b-1e2f3a4b5c6d",
		ClientSecret: "abc~DEF.ghi_jkl-123",
		RedirectURL:  "https://ward.example.nhs.uk/auth/oidc/callback",
		RoleMap:      map[string]auth.Role{"Ward.Admin": auth.RoleAdmin},
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Config)
		want string // "" for valid
	}{
		{"valid", func(*Config) {}, ""},
		{"http on loopback", func(c *Config) {
			c.Issuer, c.RedirectURL = "http://127.0.0.1:5556/dex", "http://localhost:8080/auth/oidc/callback"
		}, ""},
		{"http on ::1", func(c *Config) { c.Issuer = "http://[::1]:5556" }, ""},
		{"dotted claims", func(c *Config) {
			c.RoleClaim, c.SiteClaim = "realm_access.roles", "extn.wardSites"
		}, ""},
		{"no issuer", func(c *Config) { c.Issuer = "" },
			"oidc: issuer: must be an https URL (or http on loopback)"},
		{"http issuer", func(c *Config) { c.Issuer = "http://login.example.com/v2.0" },
			"oidc: issuer: must be an https URL (or http on loopback)"},
		{"relative issuer", func(c *Config) { c.Issuer = "login.microsoftonline.com/tenant/v2.0" },
			"oidc: issuer: must be an https URL (or http on loopback)"},
		{"issuer with user", func(c *Config) { c.Issuer = "https://u:p@login.example.com" },
			"oidc: issuer: must be an https URL (or http on loopback)"},
		{"issuer with query", func(c *Config) { c.Issuer = "https://login.example.com/?x=1" },
			"oidc: issuer: must have no query"},
		{"entra common", func(c *Config) { c.Issuer = "https://login.microsoftonline.com/common/v2.0" },
			`oidc: issuer: names no one tenant: use the directory (tenant) ID, not "common"`},
		{"entra organizations", func(c *Config) {
			c.Issuer = "https://login.microsoftonline.com/Organizations/v2.0"
		}, `oidc: issuer: names no one tenant: use the directory (tenant) ID, not "Organizations"`},
		{"no client id", func(c *Config) { c.ClientID = " " }, "oidc: client_id: must be set"},
		{"no secret", func(c *Config) { c.ClientSecret = "" }, "oidc: client_secret: must be set"},
		{"secret with newline", func(c *Config) { c.ClientSecret = "abc\n" },
			"oidc: client_secret: has white space at an end (a newline from its file?)"},
		{"http redirect", func(c *Config) { c.RedirectURL = "http://ward.example.nhs.uk/cb" },
			"oidc: redirect_url: must be an https URL (or http on loopback)"},
		{"redirect fragment", func(c *Config) { c.RedirectURL = "https://ward.example.nhs.uk/cb#x" },
			"oidc: redirect_url: must be an https URL (or http on loopback)"},
		{"no openid scope", func(c *Config) { c.Scopes = []string{"profile"} },
			"oidc: scopes: must include openid"},
		{"two scopes in one", func(c *Config) { c.Scopes = []string{"openid email"} },
			`oidc: scopes: "openid email" is not one scope`},
		{"no role map", func(c *Config) { c.RoleMap = nil },
			"oidc: role_map: must map at least one claim value to a role"},
		{"unknown role", func(c *Config) { c.RoleMap = map[string]auth.Role{"Ward.Root": "root"} },
			`oidc: role_map: "Ward.Root": auth: unknown role "root" ` +
				"(want one of admin, security, clinical-engineering, network, auditor, " +
				"clinical-safety-officer)"},
		{"empty claim value", func(c *Config) { c.RoleMap[""] = auth.RoleAdmin },
			"oidc: role_map: has an empty claim value"},
		{"bad role claim", func(c *Config) { c.RoleClaim = "realm_access..roles" },
			`oidc: role_claim: "realm_access..roles" has an empty path segment`},
		{"bad site claim", func(c *Config) { c.SiteClaim = "sites." },
			`oidc: site_claim: "sites." has an empty path segment`},
		{"bad username claim", func(c *Config) { c.UsernameClaim = ".upn" },
			`oidc: username_claim: ".upn" has an empty path segment`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := validConfig()
			tc.edit(&c)
			got := ""
			if err := c.Validate(); err != nil {
				got = err.Error()
			}
			if got != tc.want {
				t.Errorf("Validate() = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestValidateDefaults(t *testing.T) {
	c := validConfig()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	want := validConfig()
	want.Scopes = []string{"openid", "profile", "email"}
	want.RoleClaim = "roles"
	want.UsernameClaim = "preferred_username"
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("defaults mismatch (-want +got):\n%s", diff)
	}
	c.Scopes[0] = "changed"
	if DefaultScopes[0] != "openid" {
		t.Error("a Config shares its default scopes with DefaultScopes")
	}
}

func TestValidateNeverShowsSecret(t *testing.T) {
	for _, secret := range []string{" Zq8~leading", "Zq8~trailing\n", "\tZq8~both "} {
		c := validConfig()
		c.ClientSecret = secret
		err := c.Validate()
		if err == nil {
			t.Fatalf("secret %q: got no error", secret)
		}
		if strings.Contains(err.Error(), "Zq8~") {
			t.Errorf("error %q shows the secret", err)
		}
	}
}
