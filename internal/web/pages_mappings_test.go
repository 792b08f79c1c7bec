package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/wardhq/ward/internal/auth"
	"github.com/wardhq/ward/internal/register"
)

// TestSaveMapping saves a column mapping from the register page and
// imports a register whose headings only that mapping explains.
func TestSaveMapping(t *testing.T) {
	ts := newTestServer(t)
	c, csrf := ts.login(t, auth.RoleClinicalEngineering)
	resp, _ := postForm(t, c, ts.URL+"/register/mappings", url.Values{"csrf": {csrf},
		"name": {"cmms"}, "col_mac": {"Kit NIC"}, "col_asset_id": {"Ref"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save mapping: status %d, want 303", resp.StatusCode)
	}
	m, err := ts.db.Mapping(context.Background(), "cmms")
	if err != nil || m.Columns[register.MAC] != "Kit NIC" || m.Columns[register.AssetID] != "Ref" {
		t.Fatalf("stored mapping %+v, %v", m, err)
	}
	_, page := get(t, c, ts.URL+"/register")
	if !strings.Contains(page, `<option value="cmms">`) || !strings.Contains(page, "Kit NIC") {
		t.Error("the register page does not offer the saved mapping")
	}
	res, err := ts.srv.cfg.Ingest.Register(context.Background(),
		strings.NewReader("Ref,Kit NIC\nA1,00:11:22:33:44:55\n"), "odd.csv", "cmms", "test")
	if err != nil || res.Figures.RegisterEntries != 1 {
		t.Errorf("import with the mapping: %+v, %v", res.Figures, err)
	}
	resp, _ = postForm(t, c, ts.URL+"/register/mappings", url.Values{"csrf": {csrf}, "name": {"empty"}})
	if _, err := ts.db.Mapping(context.Background(), "empty"); resp.StatusCode != http.StatusSeeOther || err == nil {
		t.Errorf("a mapping of no columns was saved (status %d)", resp.StatusCode)
	}
}
