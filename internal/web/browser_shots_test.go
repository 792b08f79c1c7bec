package web

import (
	"cmp"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/wardhq/ward/internal/auth"
)

// TestBrowserScreenshots writes a full-page screenshot of every page, at a
// desktop's width and a tablet's, into the directory WARD_SCREENSHOTS
// names, for a person to look at. Without it the test is skipped.
func TestBrowserScreenshots(t *testing.T) {
	dir := os.Getenv("WARD_SCREENSHOTS")
	if dir == "" {
		t.Skip("set WARD_SCREENSHOTS to a directory to take screenshots of every page")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	chromium(t)
	ts := newTestServer(t)
	h := newHospital(t, ts, true)
	pump := h.braunPump(t)
	id := "mac:" + net.HardwareAddr(pump.MAC[:]).String()
	if err := ts.db.SetDeviceLocation(context.Background(), id, h.ward.ID); err != nil {
		t.Fatal(err)
	}
	dev := "/devices/" + pathEscape(id)
	b := newBrowser(t, ts.URL)
	admin, auditor := b.session(t), b.session(t)
	round := "" // names what the forms add, once a size

	pages := []struct {
		name, path string
		status     int
		s          *session
		then       func(s *session) // a form to fill in and send before the shot
	}{
		{name: "dashboard", path: "/"},
		{name: "focus", path: "/devices", then: func(s *session) {
			// Past "skip to content" and the brand, onto the first entry
			// of the menu.
			s.run("tab", chromedp.KeyEvent("\t\t\t"))
		}},
		{name: "inventory", path: "/devices"},
		{name: "inventory-search", path: "/devices?q=braun"},
		{name: "inventory-empty", path: "/devices?q=nothing-matches-this"},
		{name: "device", path: dev},
		{name: "device-auditor", path: dev, s: auditor},
		{name: "device-saved", path: dev, then: func(s *session) {
			s.run("move", chromedp.SetValue(chromedp.ID("location"), strconv.FormatInt(h.site.ID, 10)),
				chromedp.SendKeys(chromedp.ID("tags"), "theatres"+round))
			s.click("form.edit button[type=submit]")
		}},
		{name: "register", path: "/register"},
		{name: "ingest", path: "/ingest"},
		{name: "audit", path: "/audit"},
		{name: "users", path: "/users"},
		{name: "users-added", path: "/users", then: func(s *session) {
			s.run("name", chromedp.SendKeys(chromedp.ID("name"), "j.bloggs"+round))
			s.load("add", chromedp.Click(chromedp.CSS(`form[action="/users"] button`)))
		}},
		{name: "tokens", path: "/tokens"},
		{name: "tokens-created", path: "/tokens", then: func(s *session) {
			s.run("name", chromedp.SendKeys(chromedp.ID("name"), "CMMS sync"+round))
			s.load("create", chromedp.Click(chromedp.CSS(`form[action="/tokens"] button`)))
		}},
		{name: "account", path: "/account"},
		{name: "segmentation", path: "/segmentation"},
		{name: "segmentation-violations", path: "/segmentation/violations"},
		{name: "segmentation-policy", path: "/segmentation/policy"},
		{name: "segmentation-zone", path: "/segmentation/zones/life-sustaining"},
		{name: "error-404", path: "/no-such-page", status: http.StatusNotFound},
		{name: "error-403", path: "/users", status: http.StatusForbidden, s: auditor},
	}
	for _, size := range []struct {
		name string
		w, h int64
	}{{"desktop", 1366, 900}, {"tablet", 820, 1180}} {
		for _, s := range []*session{admin, auditor} {
			s.run("resize", chromedp.EmulateViewport(size.w, size.h))
		}
		admin.open("/login", http.StatusOK)
		shot(admin, filepath.Join(dir, "login-"+size.name+".png"))
		admin.login(string(auth.RoleAdmin), ts.pw[auth.RoleAdmin])
		auditor.login(string(auth.RoleAuditor), ts.pw[auth.RoleAuditor])
		for _, p := range pages {
			s := admin
			if p.s != nil {
				s = p.s
			}
			s.open(p.path, cmp.Or(p.status, http.StatusOK))
			if p.then != nil {
				p.then(s)
				s.check(p.name)
			}
			shot(s, filepath.Join(dir, fmt.Sprintf("%s-%s.png", p.name, size.name)))
		}
		admin.run("sign out", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)))
		round = " (" + size.name + ")"
	}
}

// shot writes a screenshot of the whole page in s to file.
func shot(s *session, file string) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(s.ctx, actionTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		s.t.Fatalf("screenshot %s: %v", file, err)
	}
	if err := os.WriteFile(file, png, 0o644); err != nil {
		s.t.Fatal(err)
	}
}
