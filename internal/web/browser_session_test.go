package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

const (
	// startTimeout bounds Chromium's start.
	startTimeout = 30 * time.Second
	// actionTimeout bounds one step in the browser: a page load, a click.
	actionTimeout = 20 * time.Second
)

// browser is one headless Chromium for a test. It lives until the test
// ends.
type browser struct {
	ctx  context.Context // its first tab; sessions are opened from it
	base string          // the server under test
}

// newBrowser starts Chromium for pages of the server at base.
func newBrowser(t *testing.T, base string) *browser {
	t.Helper()
	exe := chromium(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox, // the tests run as root in CI
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("disable-features", "Translate,MediaRouter,OptimizationHints"),
		chromedp.Flag("password-store", "basic"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1366, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	var live atomic.Bool // chromedp may complain after the test has ended
	live.Store(true)
	logf := func(format string, args ...any) {
		if live.Load() {
			t.Logf("chromedp: "+format, args...)
		}
	}
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithErrorf(logf))
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	t.Cleanup(func() { live.Store(false) })

	// The first run starts the browser and must not have a deadline (the
	// browser would die with it), so a watchdog bounds the start instead.
	watchdog := time.AfterFunc(startTimeout, cancelAlloc)
	err := chromedp.Do(ctx)
	if !watchdog.Stop() {
		t.Fatalf("start %s: not ready after %v", exe, startTimeout)
	}
	if err != nil {
		t.Fatalf("start %s: %v", exe, err)
	}
	return &browser{ctx: ctx, base: base}
}

// session is a tab in a browser context of its own, with its own cookies:
// one person at their own computer. Its methods fail t.
type session struct {
	t *testing.T
	*tab
}

// tab is the browser side of a session.
type tab struct {
	ctx  context.Context
	base string

	mu sync.Mutex
	// problems are what the pages reported since the last check: console
	// errors and warnings, uncaught exceptions, CSP violations, failed
	// loads. Guarded by mu.
	problems []string
}

// session opens a new, signed-out session.
func (b *browser) session(t *testing.T) *session {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	tb := &tab{ctx: ctx, base: b.base}
	if err := chromedp.Listen(ctx, tb.listen); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	return &session{t: t, tab: tb}
}

// on returns the session failing t instead, for a subtest.
func (s *session) on(t *testing.T) *session { return &session{t: t, tab: s.tab} }

// listen keeps what a page reports that a user would see as broken, or
// that shows the page breaking its own CSP. It runs in chromedp's reading
// goroutine and must not block.
func (tb *tab) listen(ev any) {
	var p string
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeWarning {
			var args []string
			for _, a := range ev.Args {
				args = append(args, string(a.Value)+a.Description)
			}
			p = fmt.Sprintf("console.%s: %s", ev.Type, strings.Join(args, " "))
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		p = fmt.Sprintf("uncaught exception at %s:%d: %s", d.URL, d.LineNumber, d.Text)
		if d.Exception != nil {
			p += " " + d.Exception.Description
		}
	case *log.EventEntryAdded:
		e := ev.Entry
		// A page that is not HTML (the plain 403 of a cross-site post)
		// names no icon, and the browser asks for /favicon.ico, which Ward
		// does not have; Ward's own pages name theirs.
		if strings.HasSuffix(e.URL, "/favicon.ico") {
			return
		}
		if e.Level == log.EntryLevelError || e.Level == log.EntryLevelWarning {
			p = fmt.Sprintf("%s %s: %s (%s)", e.Source, e.Level, e.Text, e.URL)
		}
	}
	if p != "" {
		tb.mu.Lock()
		tb.problems = append(tb.problems, p)
		tb.mu.Unlock()
	}
}

// run runs actions in the session's tab, failing the test on an error.
func (s *session) run(what string, actions ...chromedp.Action[chromedp.Void]) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(s.ctx, actionTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		s.t.Fatalf("%s: %v", what, err)
	}
}

// load runs actions that make the tab load a page, and returns the
// page's status.
func (s *session) load(what string, actions ...chromedp.Action[chromedp.Void]) int {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(s.ctx, actionTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, actions...)
	if err != nil {
		s.t.Fatalf("%s: %v", what, err)
	}
	return int(resp.Status)
}

// click clicks the element sel matches, waits for the page that loads,
// and returns its status.
func (s *session) click(sel string) int {
	s.t.Helper()
	return s.load("click "+sel, chromedp.Click(chromedp.CSS(sel)))
}

// open loads the page at path and checks that it answered want and is
// sound (see check).
func (s *session) open(path string, want int) {
	s.t.Helper()
	if got := s.load("open "+path, chromedp.Navigate(s.base+path)); got != want {
		s.t.Fatalf("open %s: status %d, want %d", path, got, want)
	}
	if want >= 400 {
		s.expect(fmt.Sprintf("status of %d", want)) // the console notes every error status
	}
	s.check(path)
}

// eval runs a JavaScript expression in the page and returns its value.
func eval[T any](s *session, expr string) T {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(s.ctx, actionTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		s.t.Fatalf("evaluate %.60q: %v", expr, err)
	}
	return v
}

// text is the visible text of the first element sel matches.
func (s *session) text(sel string) string {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(s.ctx, actionTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		s.t.Fatalf("text of %s: %v", sel, err)
	}
	return v
}

// path is the tab's current path and query.
func (s *session) path() string {
	s.t.Helper()
	return eval[string](s, `location.pathname + location.search`)
}

// pageAudit is a small accessibility and CSP check of the page in the
// tab, returning what it finds wrong. Every input needs a label, a page
// one h1, one main landmark and at most one message box, every table
// heading a scope, every button and link a name, every id one element;
// no element may carry a style attribute (the CSP blocks them) or an
// image lack alt.
const pageAudit = `(() => {
  const out = [];
  const html = el => el.outerHTML.slice(0, 80);
  for (const el of document.querySelectorAll('input:not([type=hidden]), select, textarea')) {
    const named = (el.labels && el.labels.length) || el.getAttribute('aria-label') ||
      el.getAttribute('aria-labelledby');
    if (!named) out.push('no label for ' + html(el));
  }
  const h1 = document.querySelectorAll('h1').length;
  if (h1 !== 1) out.push(h1 + ' h1 elements, want 1');
  if (document.querySelectorAll('main').length !== 1) out.push('no single main landmark');
  if (document.querySelectorAll('.error, .flash').length > 1) out.push('more than one message box');
  for (const el of document.querySelectorAll('th:not([scope])')) out.push('th without scope: ' + html(el));
  for (const el of document.querySelectorAll('[style]')) out.push('style attribute on ' + html(el));
  for (const el of document.querySelectorAll('img:not([alt])')) out.push('img without alt: ' + html(el));
  for (const el of document.querySelectorAll('button, a[href]')) {
    const named = el.textContent.trim() || el.getAttribute('aria-label') ||
      el.querySelector('img[alt]:not([alt=""])');
    if (!named) out.push('unnamed control: ' + html(el));
  }
  const ids = new Set();
  for (const el of document.querySelectorAll('[id]')) {
    if (ids.has(el.id)) out.push('duplicate id ' + el.id);
    ids.add(el.id);
  }
  return out;
})()`

// check fails the test if the page in the tab has reported a problem
// since the last check, or fails pageAudit.
func (s *session) check(page string) {
	s.t.Helper()
	// A round trip makes sure the events the page sent before it are in.
	for _, p := range eval[[]string](s, pageAudit) {
		s.t.Errorf("%s: %s", page, p)
	}
	s.mu.Lock()
	problems := s.problems
	s.problems = nil
	s.mu.Unlock()
	for _, p := range problems {
		s.t.Errorf("%s: the browser reported %s", page, p)
	}
}

// expect drops the problems that contain each of want, failing the test
// when one is missing: an error the test caused on purpose, such as the
// console's note of a refused request.
func (s *session) expect(want ...string) {
	s.t.Helper()
	eval[int](s, `1`)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, w := range want {
		i := 0
		for i < len(s.problems) && !strings.Contains(s.problems[i], w) {
			i++
		}
		if i == len(s.problems) {
			s.t.Errorf("the browser reported no problem with %q; it reported %q", w, s.problems)
			continue
		}
		s.problems = append(s.problems[:i], s.problems[i+1:]...)
	}
}

// discard forgets what the page reported since the last check.
func (s *session) discard() {
	s.t.Helper()
	eval[int](s, `1`)
	s.mu.Lock()
	s.problems = nil
	s.mu.Unlock()
}

// login signs in through the login form as name.
func (s *session) login(name, password string) {
	s.t.Helper()
	s.open("/login", http.StatusOK)
	s.run("fill in the login form",
		chromedp.SendKeys(chromedp.ID("username"), name),
		chromedp.SendKeys(chromedp.ID("password"), password))
	if got := s.click("main form button[type=submit]"); got != http.StatusOK {
		s.t.Fatalf("sign in as %s: status %d, want 200", name, got)
	}
	s.check("the page after signing in")
}

// cookie returns the browser's cookie of that name for the server, nil
// when it has none.
func (s *session) cookie(name string) *network.Cookie {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(s.ctx, actionTimeout)
	defer cancel()
	res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{s.base}})
	if err != nil {
		s.t.Fatalf("read cookies: %v", err)
	}
	for _, c := range res.Cookies {
		if c.Name == name {
			return c
		}
	}
	return nil
}
