package web

import (
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/wardhq/ward/internal/audit"
	"github.com/wardhq/ward/internal/auth"
	"github.com/wardhq/ward/internal/ingest"
	"github.com/wardhq/ward/internal/oidc"
	"github.com/wardhq/ward/internal/store"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Config is what a Server needs.
type Config struct {
	Store  *store.DB
	Keys   *audit.Keys     // the audit chain and checkpoint keys
	Ingest *ingest.Service // ingests uploads
	Logger *slog.Logger
	// OIDC, when set, offers single sign-on beside passwords.
	OIDC *oidc.Provider
	// OIDCIssuer is the provider's issuer URL, which with the subject
	// identifies a user who signs in through it.
	OIDCIssuer string
	// Secure marks cookies Secure. Set it when serving TLS, or on loopback,
	// where browsers accept Secure cookies over plain HTTP.
	Secure bool
	// MaxUpload bounds an uploaded capture or register, in bytes. Default
	// 2 GiB for captures; registers are bounded by the register package.
	MaxUpload int64
	// SessionTTL is how long a session lives without use. Default 12 hours.
	SessionTTL time.Duration
	// Now is the clock. Default time.Now.
	Now func() time.Time
}

// Server is Ward's HTTP server: pages, JSON API, sign-in and the audit
// middleware around them.
type Server struct {
	cfg      Config
	db       *store.DB
	log      *slog.Logger
	now      func() time.Time
	pages    map[string]*template.Template
	static   fs.FS
	mux      *http.ServeMux
	throttle *auth.Throttle
	audit    *auditor
	facets   facetCache

	// tokenUse remembers when each token's use was last written to the
	// audit log, so that an API client polling every second does not fill
	// it. Guarded by mu.
	mu       sync.Mutex
	tokenUse map[int64]time.Time
	// lockouts holds, per throttle key, the end of the lockout whose
	// first refusal was audited. Guarded by mu.
	lockouts map[string]time.Time
}

// New returns a server for cfg.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil || cfg.Keys == nil {
		return nil, errors.New("web: a store and audit keys are needed")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxUpload <= 0 {
		cfg.MaxUpload = 2 << 30
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 12 * time.Hour
	}
	s := &Server{cfg: cfg, db: cfg.Store, log: cfg.Logger.With("component", "web"),
		now: cfg.Now, throttle: auth.NewThrottle(), tokenUse: make(map[int64]time.Time),
		lockouts: make(map[string]time.Time)}
	aud, err := newAuditor(cfg.Store, cfg.Keys, cfg.Now)
	if err != nil {
		return nil, err
	}
	s.audit = aud
	if s.pages, err = parsePages(); err != nil {
		return nil, err
	}
	if s.static, err = fs.Sub(staticFS, "static"); err != nil {
		return nil, fmt.Errorf("web: static files: %w", err)
	}
	s.mux = http.NewServeMux()
	for _, rt := range s.routes() {
		s.mux.Handle(rt.method+" "+rt.path, s.wrap(rt))
	}
	s.mux.HandleFunc("/", s.notFound)
	return s, nil
}

// Handler returns the server's root handler.
func (s *Server) Handler() http.Handler {
	return securityHeaders(s.mux)
}
