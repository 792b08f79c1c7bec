// Package oidc signs users on to Ward's web server through an OpenID
// Connect provider: Microsoft Entra ID in most NHS trusts, or any provider
// with discovery, the authorization code flow and PKCE.
//
// # The flow
//
// New fetches the provider's discovery document and checks the Config.
// Then, for each sign-in:
//
//  1. Begin returns the provider's authorization URL and a Pending: a
//     random state, a random nonce and a PKCE S256 verifier. The web server
//     keeps the Pending for the browser in a short-lived, HttpOnly, Secure,
//     SameSite=Lax cookie (Lax, because the callback is a cross-site
//     navigation), sealed or naming a record on the server, and redirects
//     the browser to the URL.
//  2. The user signs in at the provider, which redirects the browser to
//     Config.RedirectURL with code and state in the query, or error and
//     error_description.
//  3. The callback handler calls CallbackError on the query, then Finish
//     with the Pending from the cookie and the query's state and code, and
//     clears the cookie whatever the outcome. Finish compares the state in
//     constant time, refuses a Pending older than PendingTTL, exchanges the
//     code together with the verifier, verifies the ID token (signature
//     against the provider's published keys, issuer, audience, expiry,
//     nonce) and maps its claims to an Identity.
//
// Roles are denied by default: a claim value missing from Config.RoleMap
// is ignored, and a user left with no role gets ErrNoRole. The errors of
// this package never hold the client secret, the code or a token; text
// from the provider is cut short and stripped of control characters.
//
// # Entra ID
//
// Register Ward in the Entra admin centre under App registrations, as a
// single-tenant application with a Web redirect URI such as
// https://ward.example.nhs.uk/auth/oidc/callback. Then:
//
//   - Issuer is https://login.microsoftonline.com/<tenant ID>/v2.0, where
//     the tenant ID is the directory's GUID from the Overview page. Neither
//     a domain name nor "common" or "organizations" will do: discovery must
//     return that same issuer.
//   - ClientID is the application (client) ID; ClientSecret is a secret
//     from Certificates & secrets, kept in a file only Ward can read. Note
//     its expiry date: Entra secrets last two years at most.
//   - For roles, prefer app roles. Define them under App roles (values
//     such as Ward.Admin, Ward.Security, Ward.EBME, Ward.Network,
//     Ward.Auditor), then assign users or groups to them under Enterprise
//     applications, Users and groups, with "Assignment required" set so that
//     no one else may sign in at all. ID tokens carry the values in the
//     "roles" claim: leave RoleClaim at its default and map each value in
//     RoleMap, e.g. "Ward.EBME" to clinical-engineering.
//   - Or use groups: under Token configuration add a groups claim (security
//     groups, or better "groups assigned to the application"), set
//     RoleClaim to "groups" and key RoleMap by each group's object ID.
//     A user in more than 200 groups gets no groups claim at all (Entra's
//     "overage"), and so ErrNoRole; app roles do not have that limit.
//   - To limit users to sites, emit the site names in a claim of their own
//     (a directory extension attribute added as an optional claim, which
//     Entra names like "extn.wardSites"; a name with dots is looked up
//     whole before it is read as a path) and set SiteClaim to it. Once
//     SiteClaim is set, every user must carry the claim; give trust-wide
//     users the value "*".
//
// Key Ward's accounts on the issuer and Identity.Subject. Entra's "sub" is
// particular to the application and never reused; preferred_username and
// email can be changed by an administrator and are for display.
//
// Package oidctest is a local provider for tests.
package oidc
