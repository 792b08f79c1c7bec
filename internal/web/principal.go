package web

import (
	"context"
	"slices"

	"github.com/wardhq/ward/internal/auth"
	"github.com/wardhq/ward/internal/store"
)

// principal is who makes a request: a signed-in user or an API token.
type principal struct {
	name    string // the user's name, or "token:NAME"
	userID  int64  // 0 for a token
	tokenID int64  // 0 for a user
	grants  []store.Grant
	// external users signed in through OIDC and have no Ward password.
	external bool
	// csrf is the token a session's forms must carry; "" for a token,
	// whose requests carry no ambient credential and need none.
	csrf string
	// sessionHash is the hash of the session id, for sign-out.
	sessionHash []byte
}

type principalKey struct{}

func withPrincipal(ctx context.Context, p *principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// who returns the request's principal; nil on a public route.
func who(ctx context.Context) *principal {
	p, _ := ctx.Value(principalKey{}).(*principal)
	return p
}

// can reports whether p has perm anywhere: for all sites or some.
func (p *principal) can(perm auth.Permission) bool {
	return slices.ContainsFunc(p.grants, func(g store.Grant) bool { return auth.Allowed(g.Role, perm) })
}

// scope says where p may use perm: everywhere (all true), or only in the
// listed sites.
func (p *principal) scope(perm auth.Permission) (all bool, sites []int64) {
	for _, g := range p.grants {
		if !auth.Allowed(g.Role, perm) {
			continue
		}
		if g.SiteID == 0 {
			return true, nil
		}
		if !slices.Contains(sites, g.SiteID) {
			sites = append(sites, g.SiteID)
		}
	}
	return false, sites
}

// canAt reports whether p may use perm on something in site (0 when the
// thing is in no site: only an unlimited grant covers it).
func (p *principal) canAt(perm auth.Permission, site int64) bool {
	all, sites := p.scope(perm)
	return all || site != 0 && slices.Contains(sites, site)
}

// roles lists p's roles, each once, for display.
func (p *principal) roles() []string {
	var out []string
	for _, g := range p.grants {
		if !slices.Contains(out, string(g.Role)) {
			out = append(out, string(g.Role))
		}
	}
	return out
}

// permission is a permission named in a template.
func permission(name string) auth.Permission { return auth.Permission(name) }

// Name is the principal's name, for templates.
func (p *principal) Name() string { return p.name }

// Roles lists the principal's roles, for templates.
func (p *principal) Roles() []string { return p.roles() }

// External reports whether the user signs in through OIDC.
func (p *principal) External() bool { return p.external }
