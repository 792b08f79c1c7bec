package oidc

import (
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wardhq/ward/internal/auth"
)

func claimsConfig(t testing.TB) *Config {
	t.Helper()
	c := validConfig()
	c.RoleMap = testRoleMap
	c.SiteClaim = "ward.sites"
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	return &c
}

func TestIdentityFrom(t *testing.T) {
	tests := []struct {
		name    string
		claims  string
		want    Identity
		wantErr error
	}{
		{"full", `{"sub":"s1","preferred_username":"jd","email":"j@x","name":"J D",
			"roles":["Ward.Admin"],"ward":{"sites":["B","A"]}}`,
			Identity{Subject: "s1", Username: "jd", Email: "j@x", Name: "J D",
				Roles: []auth.Role{auth.RoleAdmin}, Sites: []string{"A", "B"}}, nil},
		{"username from email", `{"sub":"s2","email":"e@x","roles":"Ward.EBME","ward.sites":"*"}`,
			Identity{Subject: "s2", Username: "e@x", Email: "e@x",
				Roles: []auth.Role{auth.RoleClinicalEngineering}}, nil},
		{"username from sub", `{"sub":"s3","preferred_username":7,"roles":"Ward.EBME","ward.sites":"*"}`,
			Identity{Subject: "s3", Username: "s3", Roles: []auth.Role{auth.RoleClinicalEngineering}}, nil},
		{"no sub", `{"roles":"Ward.Admin"}`, Identity{}, ErrToken},
		{"sub not a string", `{"sub":42,"roles":"Ward.Admin"}`, Identity{}, ErrToken},
		{"no role", `{"sub":"s4","roles":["Nope"]}`, Identity{Subject: "s4", Username: "s4"}, ErrNoRole},
		{"no site", `{"sub":"s5","roles":"Ward.Admin","ward":{"sites":[]}}`,
			Identity{Subject: "s5", Username: "s5", Roles: []auth.Role{auth.RoleAdmin}}, ErrNoSite},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := identityFrom(claimsConfig(t), decode(t, tc.claims))
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("got error %v, want %v", err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Identity mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestGroupsOverage(t *testing.T) {
	c := claimsConfig(t)
	c.RoleClaim = "groups"
	claims := decode(t, `{"sub":"s6","_claim_names":{"groups":"src1"},
		"_claim_sources":{"src1":{"endpoint":"https://graph.microsoft.com/v1.0/users/x/getMemberObjects"}}}`)
	_, err := identityFrom(c, claims)
	if !errors.Is(err, ErrNoRole) {
		t.Fatalf("got %v, want ErrNoRole", err)
	}
	want := "oidc: no ward role for this user: the provider left out the groups claim for too many " +
		"groups (use app roles, or emit only the groups assigned to the application)"
	if err.Error() != want {
		t.Errorf("got %q, want %q", err, want)
	}
}

func decode(t testing.TB, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// ci-fuzz: 20000x
func FuzzRoleClaims(f *testing.F) {
	for _, s := range []string{
		`{"sub":"a","roles":["Ward.Admin","Ward.Auditor"],"ward":{"sites":["A"]}}`,
		`{"sub":"a","roles":"Ward.EBME","ward.sites":"*"}`,
		`{"sub":"a","roles":[1,null,{"x":[]}],"ward":"sites"}`,
		`{"sub":"a","realm_access":{"roles":["Ward.Admin"]},"_claim_names":{"roles":"s"}}`,
		`{"sub":"","roles":[]}`,
	} {
		f.Add([]byte(s), "roles")
		f.Add([]byte(s), "realm_access.roles")
	}
	f.Fuzz(func(t *testing.T, data []byte, roleClaim string) {
		var claims map[string]any
		if json.Unmarshal(data, &claims) != nil {
			return
		}
		c := claimsConfig(t)
		c.RoleClaim = roleClaim
		id, err := identityFrom(c, claims)
		checkIdentity(t, c, id, err)
	})
}

// checkIdentity checks the invariants of identityFrom's result.
func checkIdentity(t *testing.T, c *Config, id Identity, err error) {
	t.Helper()
	if (len(id.Roles) == 0) != (err != nil && !errors.Is(err, ErrNoSite)) {
		t.Fatalf("roles %v with error %v", id.Roles, err)
	}
	mapped := slices.Collect(maps.Values(c.RoleMap))
	order := func(r auth.Role) int { return slices.Index(auth.Roles, r) }
	for i, r := range id.Roles {
		if !slices.Contains(mapped, r) || i > 0 && order(id.Roles[i-1]) >= order(r) {
			t.Fatalf("roles %v: not from the map, repeated or out of order", id.Roles)
		}
	}
	if err == nil && (id.Subject == "" || id.Username == "") {
		t.Fatalf("accepted %+v with no subject or username", id)
	}
	if slices.Contains(id.Sites, "") || slices.Contains(id.Sites, allSites) || !slices.IsSorted(id.Sites) {
		t.Fatalf("sites %q: empty, wildcard or unsorted", id.Sites)
	}
}
