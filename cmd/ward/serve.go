package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/wardhq/ward/internal/advisory"
	"github.com/wardhq/ward/internal/auth"
	"github.com/wardhq/ward/internal/ingest"
	"github.com/wardhq/ward/internal/oidc"
	"github.com/wardhq/ward/internal/store"
	"github.com/wardhq/ward/internal/web"
)

var serveCommand = &command{
	name:    "serve",
	summary: "serve the web UI and JSON API over the stored inventory",
	usage: "[-listen ADDR] [-data DIR | -database postgres://…] [-tls-cert FILE -tls-key FILE]\n\n" +
		"On first start Ward creates the user admin and prints its password once.",
	flags: serveFlags,
}

// serveOptions are the flags of serve (and of demo, which shares them).
type serveOptions struct {
	listen, cert, key *string
	maxUpload         *int64
	oidc              oidcFlags
	feeds, feedsKeys  *string
	feedsEvery        *time.Duration
}

func addServeFlags(fs *flag.FlagSet) serveOptions {
	return serveOptions{
		listen: fs.String("listen", "127.0.0.1:8080", "`address` to listen on"),
		cert:   fs.String("tls-cert", "", "TLS certificate `file` (PEM); serve HTTPS"),
		key:    fs.String("tls-key", "", "TLS private key `file` (PEM)"),
		maxUpload: fs.Int64("max-upload", 2<<30,
			"largest capture upload in `bytes`"),
		oidc: addOIDCFlags(fs),
		feeds: fs.String("feeds", "", "a `folder` of advisories and feeds to import at start "+
			"and again whenever it changes (as ward feeds import -watch)"),
		feedsEvery: fs.Duration("feeds-every", time.Minute, "how often to look at -feeds (`duration`)"),
		feedsKeys: fs.String("feeds-keys", "", "OpenPGP public keys `file`: check the .asc "+
			"signatures of CSAF documents in -feeds"),
	}
}

func serveFlags(fs *flag.FlagSet) func(context.Context, *env, []string) error {
	df := addDataFlags(fs)
	so := addServeFlags(fs)
	return func(ctx context.Context, e *env, args []string) error {
		if len(args) > 0 {
			return usagef("serve", "serve takes no arguments")
		}
		d, err := df.open(ctx, e)
		if err != nil {
			return err
		}
		defer d.close()
		if err := firstAdmin(ctx, e, d); err != nil {
			return err
		}
		return serve(ctx, e, d, so, nil)
	}
}

// watchFeeds imports a feeds folder while the server runs, logging what
// each import did.
func watchFeeds(ctx context.Context, e *env, svc *ingest.Service, dir string, every time.Duration,
	opts advisory.LoadOptions) {
	log := e.log.With("component", "feeds")
	err := svc.WatchFeeds(ctx, dir, every, opts, "feeds-watch",
		func(res ingest.FeedsResult, err error) {
			if err != nil {
				log.Error("feeds import failed", "dir", dir, "err", err)
				return
			}
			log.Info("feeds imported", "dir", dir, "files", res.Files,
				"advisories_added", res.Advisories.Added, "advisories_updated", res.Advisories.Updated,
				"problems", len(res.Problems), "findings", res.Findings.Findings)
			for _, p := range res.Problems {
				log.Warn("feeds document skipped", "problem", p)
			}
		})
	if err != nil {
		log.Error("feeds folder not watched", "dir", dir, "err", err)
	}
}

// firstAdmin creates the user admin when there are no users, and prints
// its password once.
func firstAdmin(ctx context.Context, e *env, d *data) error {
	users, err := d.db.Users(ctx)
	if err != nil {
		return err
	}
	if len(users) > 0 {
		return nil
	}
	_, pw, err := web.CreateUser(ctx, d.db, "admin", store.Grant{Role: auth.RoleAdmin})
	if err != nil {
		return fmt.Errorf("create the first user: %w", err)
	}
	fmt.Fprintf(e.stdout, "First start: sign in as admin with the password\n\n    %s\n\n"+
		"It is shown only now. Change it under Your account; add others with 'ward user add'.\n\n", pw)
	return nil
}

// serve runs the server until ctx ends. ready, when set, is called with
// the address once listening.
func serve(ctx context.Context, e *env, d *data, so serveOptions, ready func(addr string)) error {
	ln, err := net.Listen("tcp", *so.listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	useTLS := *so.cert != "" || *so.key != ""
	if useTLS && (*so.cert == "" || *so.key == "") {
		ln.Close()
		return usagef("serve", "-tls-cert and -tls-key go together")
	}
	loopback := isLoopback(ln.Addr())
	warnPlainHTTP(e, ln.Addr(), useTLS)
	provider, issuer, err := so.oidc.provider(ctx)
	if err != nil {
		ln.Close()
		return err
	}
	svc := &ingest.Service{DB: d.db, Chain: d.chain(), Log: e.log}
	if *so.feeds != "" {
		var opts advisory.LoadOptions
		if *so.feedsKeys != "" {
			if opts.Keys, err = readKeys(*so.feedsKeys); err != nil {
				ln.Close()
				return err
			}
		}
		go watchFeeds(ctx, e, svc, *so.feeds, *so.feedsEvery, opts)
	}
	srv, err := web.New(web.Config{Store: d.db, Keys: d.keys, Logger: e.log,
		Ingest: svc,
		OIDC:   provider, OIDCIssuer: issuer, Secure: useTLS || loopback, MaxUpload: *so.maxUpload})
	if err != nil {
		ln.Close()
		return err
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10,
		ErrorLog: nil, TLSConfig: &tls.Config{MinVersion: tls.VersionTLS12}}
	scheme := "http"
	if useTLS {
		scheme = "https"
	}
	fmt.Fprintf(e.stdout, "Ward is serving on %s://%s/\n", scheme, displayAddr(ln.Addr()))
	if ready != nil {
		ready(ln.Addr().String())
	}
	errc := make(chan error, 1)
	go func() {
		if useTLS {
			errc <- hs.ServeTLS(ln, *so.cert, *so.key)
		} else {
			errc <- hs.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(shut); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}

// warnPlainHTTP warns, loudly, when passwords and cookies would cross a
// network in clear.
func warnPlainHTTP(e *env, a net.Addr, useTLS bool) {
	if useTLS || isLoopback(a) {
		return
	}
	fmt.Fprintf(e.stderr, "\n*** WARNING: serving plain HTTP on %s, which is not a loopback address.\n"+
		"*** Passwords and session cookies cross the network unencrypted.\n"+
		"*** Use -tls-cert and -tls-key, or put Ward behind a TLS proxy.\n\n", a)
	e.log.Warn("plain HTTP on a non-loopback address", "component", "serve", "addr", a.String())
}

func isLoopback(a net.Addr) bool {
	ta, ok := a.(*net.TCPAddr)
	return ok && ta.IP.IsLoopback()
}

// displayAddr is an address a browser can open: a wildcard listener is
// shown as the machine's name.
func displayAddr(a net.Addr) string {
	ta, ok := a.(*net.TCPAddr)
	if !ok || !ta.IP.IsUnspecified() {
		return a.String()
	}
	host, err := os.Hostname()
	if err != nil {
		host = "localhost"
	}
	return net.JoinHostPort(host, fmt.Sprint(ta.Port))
}

// oidcFlags configure single sign-on.
type oidcFlags struct {
	issuer, clientID, secretFile, redirect, roleClaim, roleMap, siteClaim *string
}

func addOIDCFlags(fs *flag.FlagSet) oidcFlags {
	return oidcFlags{
		issuer:   fs.String("oidc-issuer", "", "OpenID Connect issuer `url` (e.g. https://login.microsoftonline.com/TENANT/v2.0); enables single sign-on"),
		clientID: fs.String("oidc-client-id", "", "OIDC client `id`"),
		secretFile: fs.String("oidc-client-secret-file", "",
			"`file` holding the OIDC client secret (or set WARD_OIDC_CLIENT_SECRET)"),
		redirect:  fs.String("oidc-redirect-url", "", "OIDC redirect `url`: https://HOST/auth/oidc/callback"),
		roleClaim: fs.String("oidc-role-claim", "roles", "ID token `claim` holding roles or groups"),
		roleMap: fs.String("oidc-role-map", "",
			"claim values to Ward roles: `VALUE=ROLE,…` (e.g. Ward.Admin=admin,GROUP-ID=auditor)"),
		siteClaim: fs.String("oidc-site-claim", "", "ID token `claim` naming the sites a user is limited to"),
	}
}

// provider starts OIDC when configured; it returns nil when not.
func (f oidcFlags) provider(ctx context.Context) (*oidc.Provider, string, error) {
	if *f.issuer == "" {
		return nil, "", nil
	}
	secret := os.Getenv("WARD_OIDC_CLIENT_SECRET")
	if *f.secretFile != "" {
		b, err := os.ReadFile(*f.secretFile)
		if err != nil {
			return nil, "", fmt.Errorf("oidc client secret: %w", err)
		}
		secret = strings.TrimSpace(string(b))
	}
	roles := map[string]auth.Role{}
	for pair := range strings.SplitSeq(*f.roleMap, ",") {
		if pair = strings.TrimSpace(pair); pair == "" {
			continue
		}
		k, v, ok := strings.Cut(pair, "=")
		role, err := auth.ParseRole(strings.TrimSpace(v))
		if !ok || err != nil {
			return nil, "", usagef("serve", "bad -oidc-role-map entry %q: want VALUE=ROLE", pair)
		}
		roles[strings.TrimSpace(k)] = role
	}
	cfg := oidc.Config{Issuer: *f.issuer, ClientID: *f.clientID, ClientSecret: secret,
		RedirectURL: *f.redirect, RoleClaim: *f.roleClaim, RoleMap: roles, SiteClaim: *f.siteClaim}
	if err := cfg.Validate(); err != nil {
		return nil, "", usagef("serve", "%v", err)
	}
	p, err := oidc.New(ctx, cfg, http.DefaultClient)
	if err != nil {
		return nil, "", err
	}
	return p, *f.issuer, nil
}
