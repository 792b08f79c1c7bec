package oidc

import (
	"fmt"
	"slices"
	"strings"

	"github.com/wardhq/ward/internal/auth"
)

// Identity is who signed in, as the provider vouches for them.
type Identity struct {
	// Subject is the provider's stable ID for the user (the "sub" claim).
	// Key accounts on the issuer and Subject: usernames and email
	// addresses can change hands.
	Subject string
	// Username is for display and the audit log: the configured claim,
	// else "email", else "sub".
	Username string
	// Email and Name are what the provider says; Email may be unverified.
	Email string
	Name  string
	// Roles are the Ward roles the user's claims map to, in the order of
	// auth.Roles, each once. Never empty in an Identity Finish accepts.
	Roles []auth.Role
	// Sites limits the user to these sites, sorted; nil means every site.
	Sites []string
}

// allSites is the site claim value that stands for every site.
const allSites = "*"

// identityFrom reads an Identity from verified ID token claims. When the
// user maps to no role or (with a site claim) no site, it returns what it
// read along with ErrNoRole or ErrNoSite, so that the caller can log who
// was turned away.
func identityFrom(c *Config, claims map[string]any) (Identity, error) {
	id := Identity{
		Subject: str(claims["sub"]),
		Email:   str(claims["email"]),
		Name:    str(claims["name"]),
	}
	if id.Subject == "" {
		return Identity{}, fmt.Errorf("%w: no sub claim", ErrToken)
	}
	id.Username = username(c.UsernameClaim, claims)
	id.Roles = mapRoles(claims, c.RoleClaim, c.RoleMap)
	if len(id.Roles) == 0 {
		return id, noRole(claims, c.RoleClaim)
	}
	if c.SiteClaim == "" {
		return id, nil
	}
	id.Sites = sites(claims, c.SiteClaim)
	if len(id.Sites) == 0 {
		return id, fmt.Errorf("%w: no %s claim", ErrNoSite, c.SiteClaim)
	}
	if slices.Contains(id.Sites, allSites) {
		id.Sites = nil
	}
	return id, nil
}

func username(claim string, claims map[string]any) string {
	for _, name := range []string{claim, "email", "sub"} {
		if v, ok := lookup(claims, name); ok && str(v) != "" {
			return str(v)
		}
	}
	return ""
}

// mapRoles maps the values of the role claim through m. Unknown values,
// and roles auth does not know, are ignored: deny by default.
func mapRoles(claims map[string]any, claim string, m map[string]auth.Role) []auth.Role {
	v, _ := lookup(claims, claim)
	held := make(map[auth.Role]bool)
	for _, s := range stringsOf(v) {
		if r, ok := m[s]; ok && r.Valid() {
			held[r] = true
		}
	}
	var roles []auth.Role
	for _, r := range auth.Roles {
		if held[r] {
			roles = append(roles, r)
		}
	}
	return roles
}

// noRole explains ErrNoRole. Entra ID leaves the groups claim out of a
// token when the user is in too many groups (more than 200 in an ID
// token) and says so with _claim_names or hasgroups.
func noRole(claims map[string]any, claim string) error {
	top, _, _ := strings.Cut(claim, ".")
	names, _ := claims["_claim_names"].(map[string]any)
	if _, ok := names[top]; ok || claims["hasgroups"] == true {
		return fmt.Errorf("%w: the provider left out the %s claim for too many groups "+
			"(use app roles, or emit only the groups assigned to the application)", ErrNoRole, top)
	}
	return ErrNoRole
}

// sites reads the site claim: sorted, each once, empty names dropped.
func sites(claims map[string]any, claim string) []string {
	v, _ := lookup(claims, claim)
	var out []string
	for _, s := range stringsOf(v) {
		if s != "" {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// lookup finds a claim by name, or else by a dotted path into nested
// objects: "realm_access.roles".
func lookup(claims map[string]any, path string) (any, bool) {
	if v, ok := claims[path]; ok {
		return v, true
	}
	var cur any = claims
	for _, seg := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[seg]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// stringsOf reads a claim that is a string or an array of strings;
// elements of other types are skipped.
func stringsOf(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []string:
		return v
	case []any:
		var out []string
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func str(v any) string {
	s, _ := v.(string)
	return s
}
