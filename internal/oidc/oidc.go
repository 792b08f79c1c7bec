package oidc

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// Errors a caller of Finish may branch on, to tell the user what to do.
var (
	// ErrState means the callback is not for the Pending, or there is none.
	ErrState = errors.New("oidc: sign-in state does not match")
	// ErrExpired means the Pending is older than PendingTTL.
	ErrExpired = errors.New("oidc: sign-in took too long")
	// ErrRefused means the provider sent the callback an error; see CallbackError.
	ErrRefused = errors.New("oidc: provider refused the sign-in")
	// ErrExchange means the token endpoint would not redeem the code.
	ErrExchange = errors.New("oidc: exchange code")
	// ErrToken means the ID token is missing, or its signature, issuer,
	// audience, expiry or nonce is wrong.
	ErrToken = errors.New("oidc: invalid id token")
	// ErrNoRole means the user's claims map to no Ward role.
	ErrNoRole = errors.New("oidc: no ward role for this user")
	// ErrNoSite means SiteClaim is set but the user carries no site.
	ErrNoSite = errors.New("oidc: no site for this user")
)

// PendingTTL is how long a sign-in may take from Begin to Finish. A
// caller's state cookie should not outlive it.
const PendingTTL = 10 * time.Minute

// clockSkew is how far in the future a Pending may have been created, for
// servers behind one load balancer whose clocks differ a little.
const clockSkew = time.Minute

// randomBytes is the entropy of each of state, nonce and PKCE verifier.
const randomBytes = 32

// Provider signs users on with one OpenID provider. It is safe for
// concurrent use.
type Provider struct {
	cfg      Config // validated, with defaults; not shared with the caller
	oauth    oauth2.Config
	verifier *gooidc.IDTokenVerifier
	client   *http.Client     // every request to the provider goes through it
	now      func() time.Time // time.Now outside tests
}

// New discovers the provider named by cfg.Issuer and readies sign-on with
// it. The client makes every request to the provider (discovery, keys,
// tokens); nil means a client with a 30-second timeout.
func New(ctx context.Context, cfg Config, client *http.Client) (*Provider, error) {
	cfg = cfg.clone()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	op, err := gooidc.NewProvider(gooidc.ClientContext(ctx, client), cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("oidc: discover %s: %w", cfg.Issuer, err)
	}
	style, err := authStyle(op)
	if err != nil {
		return nil, fmt.Errorf("oidc: discover %s: %w", cfg.Issuer, err)
	}
	p := &Provider{cfg: cfg, client: client, now: time.Now}
	p.oauth = oauth2.Config{
		ClientID:     cfg.ClientID,
		ClientSecret: cfg.ClientSecret,
		Endpoint:     op.Endpoint(),
		RedirectURL:  cfg.RedirectURL,
		Scopes:       cfg.Scopes,
	}
	p.oauth.Endpoint.AuthStyle = style
	p.verifier = op.Verifier(&gooidc.Config{ClientID: cfg.ClientID, Now: p.clock})
	return p, nil
}

func (p *Provider) clock() time.Time { return p.now() }

// authStyle chooses how to send the client secret from what the discovery
// document offers, and checks that PKCE with S256 is not ruled out.
func authStyle(op *gooidc.Provider) (oauth2.AuthStyle, error) {
	var meta struct {
		AuthMethods []string `json:"token_endpoint_auth_methods_supported"`
		PKCE        []string `json:"code_challenge_methods_supported"`
	}
	if err := op.Claims(&meta); err != nil {
		return 0, err
	}
	if len(meta.PKCE) > 0 && !slices.Contains(meta.PKCE, "S256") {
		return 0, errors.New("provider does not support PKCE with S256")
	}
	switch {
	case len(meta.AuthMethods) == 0, slices.Contains(meta.AuthMethods, "client_secret_basic"):
		return oauth2.AuthStyleInHeader, nil // basic is the default when none is listed
	case slices.Contains(meta.AuthMethods, "client_secret_post"):
		return oauth2.AuthStyleInParams, nil
	}
	return 0, errors.New("provider takes neither client_secret_basic nor client_secret_post")
}

// Pending is a sign-in between Begin and Finish. The caller keeps it for
// the browser, in a short-lived, HttpOnly, Secure, SameSite=Lax cookie
// that is sealed (encrypted and authenticated) or that names a record kept
// on the server: the browser must neither read the verifier nor choose
// the values. Use it once.
type Pending struct {
	State    string    `json:"state"`    // echoed by the provider; ties the callback to this browser
	Nonce    string    `json:"nonce"`    // echoed in the ID token; ties the token to this sign-in
	Verifier string    `json:"verifier"` // PKCE S256 code verifier; ties the code to this sign-in
	Created  time.Time `json:"created"`
}

// Begin starts a sign-in. It returns the provider URL to redirect the
// browser to and the Pending to keep until the callback. State, nonce and
// verifier are each 32 random bytes, base64url without padding.
func (p *Provider) Begin() (authURL string, pending Pending, err error) {
	for _, v := range []*string{&pending.State, &pending.Nonce, &pending.Verifier} {
		if *v, err = random(); err != nil {
			return "", Pending{}, fmt.Errorf("oidc: begin: %w", err)
		}
	}
	pending.Created = p.now()
	authURL = p.oauth.AuthCodeURL(pending.State,
		gooidc.Nonce(pending.Nonce), oauth2.S256ChallengeOption(pending.Verifier))
	return authURL, pending, nil
}

func random() (string, error) {
	b := make([]byte, randomBytes)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// Finish completes the sign-in that pending began, given the state and
// code of the callback's query (call CallbackError on the query first). It
// checks the state in constant time and the age of pending, exchanges the
// code with the PKCE verifier, verifies the ID token's signature, issuer,
// audience, expiry and nonce, and maps its claims to Ward roles. A user
// who maps to no role gets ErrNoRole, with the Identity read so far.
func (p *Provider) Finish(ctx context.Context, pending Pending, state, code string) (Identity, error) {
	if err := p.checkPending(pending, state); err != nil {
		return Identity{}, err
	}
	if code == "" {
		return Identity{}, errors.New("oidc: callback has no code")
	}
	raw, err := p.exchange(ctx, pending.Verifier, code)
	if err != nil {
		return Identity{}, err
	}
	claims, err := p.verify(ctx, raw, pending.Nonce)
	if err != nil {
		return Identity{}, err
	}
	return identityFrom(&p.cfg, claims)
}

func (p *Provider) checkPending(pd Pending, state string) error {
	if pd.State == "" || pd.Nonce == "" || pd.Verifier == "" ||
		subtle.ConstantTimeCompare([]byte(state), []byte(pd.State)) != 1 {
		return ErrState
	}
	age := p.now().Sub(pd.Created)
	if age > PendingTTL || age < -clockSkew {
		return ErrExpired
	}
	return nil
}

// exchange trades the code for tokens and returns the raw ID token. Its
// errors hold neither the code nor any token.
func (p *Provider) exchange(ctx context.Context, verifier, code string) (string, error) {
	ctx = gooidc.ClientContext(ctx, p.client)
	tok, err := p.oauth.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		return "", exchangeError(err)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok || raw == "" {
		return "", fmt.Errorf("%w: token response has no id_token", ErrToken)
	}
	return raw, nil
}

// exchangeError describes a failed exchange by the provider's error code
// and a cut-short description rather than by its whole response body.
func exchangeError(err error) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		return fmt.Errorf("%w: %w", ErrExchange, err)
	}
	msg := clean(re.ErrorCode, maxErrorCode)
	if msg == "" && re.Response != nil {
		msg = "status " + re.Response.Status
	}
	if d := clean(re.ErrorDescription, maxErrorText); d != "" {
		msg += ": " + d
	}
	return fmt.Errorf("%w: %s", ErrExchange, msg)
}

// verify checks the raw ID token and returns its claims.
func (p *Provider) verify(ctx context.Context, raw, nonce string) (map[string]any, error) {
	idt, err := p.verifier.Verify(gooidc.ClientContext(ctx, p.client), raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrToken, err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1 {
		return nil, fmt.Errorf("%w: nonce does not match", ErrToken)
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrToken, err)
	}
	if err := p.checkParty(idt.Audience, claims); err != nil {
		return nil, err
	}
	return claims, nil
}

// checkParty applies OpenID Connect Core's rule for a token with several
// audiences: its authorised party (azp) must be us.
func (p *Provider) checkParty(aud []string, claims map[string]any) error {
	azp, has := claims["azp"]
	if (len(aud) > 1 || has) && azp != p.cfg.ClientID {
		return fmt.Errorf("%w: issued to another party", ErrToken)
	}
	return nil
}
