package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/wardhq/ward/internal/advisory"
	"github.com/wardhq/ward/internal/auth"
	"github.com/wardhq/ward/internal/ingest"
	"github.com/wardhq/ward/internal/store"
)

// Feeds: the page of what is loaded and the upload of one feed file
// (page and API), and the export of the rulings as VEX.
//
// An uploaded feed is spooled to a file in a private temporary folder,
// since the importer reads files (it sniffs a document whole, and a
// gzip-compressed one twice); feeds hold no patient data. The folder is
// removed whatever happens.

// feedTypes are the media types a feed may be posted as.
var feedTypes = []string{"application/json", "text/csv", "application/gzip", "application/xml",
	"application/octet-stream"}

// feedUpload is what an upload of one feed did, or why it was refused.
type feedUpload struct {
	name     string
	res      ingest.FeedsResult
	problems []string // res.Problems without the spool's folder
	status   int      // 0 when imported
	msg      string   // why it was refused
}

// feedFileName makes an uploaded file's name safe as a file name in the
// spool folder, keeping its extensions, which the importer may read the
// format from.
func feedFileName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, `\`, "/"))
	var b strings.Builder
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.',
			r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	out := b.String()
	if len(out) > 120 {
		out = out[len(out)-120:]
	}
	// A leading dot would hide the file from a walk of a folder.
	if out = strings.TrimLeft(out, "._"); out == "" {
		return "upload.json"
	}
	return out
}

// importFeed spools body and imports it as the feed file name, for actor.
// err is for a failure of the server's; a refusal sets status and msg.
func (s *Server) importFeed(r *http.Request, name string, body io.Reader, actor string) (
	feedUpload, error) {
	up := feedUpload{name: feedFileName(name)}
	dir, err := os.MkdirTemp("", "ward-feed-")
	if err != nil {
		return up, fmt.Errorf("spool feed: %w", err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, up.name)
	if up.status, up.msg, err = spool(path, body); err != nil || up.status != 0 {
		return up, err
	}
	up.res, err = s.cfg.Ingest.ImportFeeds(r.Context(), path, advisory.LoadOptions{}, actor)
	for _, p := range up.res.Problems {
		up.problems = append(up.problems, strings.ReplaceAll(p, dir+string(filepath.Separator), ""))
	}
	switch {
	case errors.Is(err, store.ErrInvalid):
		up.status = http.StatusUnprocessableEntity
		up.msg = "the feed holds what Ward cannot keep: " + invalidText(err)
		return up, nil
	case err != nil:
		return up, err
	case up.res.Files == 0 && len(up.problems) > 0:
		up.status = http.StatusUnprocessableEntity
		up.msg = "the feed was not imported: " + strings.Join(up.problems, "; ")
	case up.res.Files == 0:
		up.status = http.StatusUnprocessableEntity
		up.msg = "the file is not a feed Ward reads: a CSAF 2.0 advisory, an NVD CVE JSON 2.0 " +
			"record, CISA's KEV catalogue (JSON or CSV), EPSS scores (CSV, gzip allowed), a " +
			"CycloneDX SBOM or VEX, or an OpenVEX document"
	}
	return up, nil
}

// spool writes body to path, new and private, and checks that the
// importer can read it whole. A refusal is a status and its reason.
func spool(path string, body io.Reader) (int, string, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return 0, "", fmt.Errorf("spool feed: %w", err)
	}
	n, err := io.Copy(f, body)
	if cerr := f.Close(); err == nil && cerr != nil {
		return 0, "", fmt.Errorf("spool feed: %w", cerr)
	}
	if err != nil {
		if uploadStatus(err) == http.StatusRequestEntityTooLarge {
			return http.StatusRequestEntityTooLarge, "the file is larger than the server accepts", nil
		}
		return http.StatusBadRequest, "the upload could not be read: it broke off", nil
	}
	if n == 0 {
		return http.StatusBadRequest, "the file is empty", nil
	}
	return checkFeedSize(path, n)
}

// checkFeedSize refuses a feed larger than the importer reads, or a
// gzip stream that is broken or expands beyond it.
func checkFeedSize(path string, n int64) (int, string, error) {
	tooLarge := fmt.Sprintf("the feed is larger than Ward reads (%d MiB)", advisory.MaxFileSize>>20)
	if n > advisory.MaxFileSize {
		return http.StatusRequestEntityTooLarge, tooLarge, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return 0, "", fmt.Errorf("spool feed: %w", err)
	}
	defer f.Close()
	head := make([]byte, 2)
	if _, err := io.ReadFull(f, head); err != nil || head[0] != 0x1f || head[1] != 0x8b {
		return 0, "", nil
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return 0, "", fmt.Errorf("spool feed: %w", err)
	}
	zr, err := gzip.NewReader(f)
	if err != nil {
		return http.StatusBadRequest, "the file is not valid gzip: " + err.Error(), nil
	}
	size, err := io.Copy(io.Discard, io.LimitReader(zr, advisory.MaxFileSize+1))
	switch {
	case err != nil:
		return http.StatusBadRequest, "the file is not valid gzip: " + err.Error(), nil
	case size > advisory.MaxFileSize:
		return http.StatusRequestEntityTooLarge, tooLarge + " once decompressed", nil
	}
	return 0, "", nil
}

// errFeedsAllSites refuses a feed import to a user limited to some sites:
// the devices of every site are matched again.
const errFeedsAllSites = "an import matches the devices of every site again; it needs a role " +
	"for all sites"

// feedImport is a past import, from the audit log.
type feedImport struct {
	At     time.Time
	Actor  string
	File   string
	Result ingest.FeedsResult
}

type feedsView struct {
	Versions   []store.FeedVersion
	Advisories int
	SBOMs      int
	VEX        int
	Imports    []feedImport
	Upload     *apiFeedsResult // what the upload just made did
}

func (s *Server) feedsView(r *http.Request) (*feedsView, error) {
	ctx := r.Context()
	v := &feedsView{}
	var err error
	if v.Versions, err = s.db.FeedVersions(ctx); err != nil {
		return nil, err
	}
	if v.Advisories, err = s.db.AdvisoryCount(ctx); err != nil {
		return nil, err
	}
	sboms, err := s.db.SBOMs(ctx)
	if err != nil {
		return nil, err
	}
	vex, err := s.db.VEXDocs(ctx)
	if err != nil {
		return nil, err
	}
	v.SBOMs, v.VEX = len(sboms), len(vex)
	evs, err := s.db.ListAuditFiltered(ctx, store.AuditQuery{Action: "feeds.import", Limit: 10})
	if err != nil {
		return nil, err
	}
	for _, e := range evs {
		fi := feedImport{At: e.Time, Actor: e.Actor, File: e.Object}
		json.Unmarshal(e.Detail, &fi.Result) // an older detail shows as nothing imported
		v.Imports = append(v.Imports, fi)
	}
	return v, nil
}

func (s *Server) feedsPage(w http.ResponseWriter, r *http.Request) {
	s.showFeeds(w, r, http.StatusOK, nil, "")
}

func (s *Server) showFeeds(w http.ResponseWriter, r *http.Request, status int,
	upload *apiFeedsResult, msg string) {
	v, err := s.feedsView(r)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	v.Upload = upload
	s.render(w, r, status, "feeds", &view{Title: "Feeds", Nav: "advisories", Data: v,
		Error: msg})
}

// feedsUpload imports the feed file of an upload form and shows what it
// did.
func (s *Server) feedsUpload(w http.ResponseWriter, r *http.Request) {
	p := who(r.Context())
	if all, _ := p.scope(auth.PermFeedsImport); !all {
		s.forbidden(w, r, page, errFeedsAllSites)
		return
	}
	part, _, err := s.uploadPart(r, s.cfg.MaxUpload, "feed")
	if errors.Is(err, errCSRF) {
		s.forbidden(w, r, page, err.Error())
		return
	}
	if err != nil {
		s.errorPage(w, r, uploadStatus(err), err.Error())
		return
	}
	up, err := s.importFeed(r, part.FileName(), part, p.name)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	out := feedsResultOut(up.name, up.res, up.problems)
	if up.status != 0 {
		s.showFeeds(w, r, up.status, &out, "The feed was not imported: "+up.msg)
		return
	}
	s.showFeeds(w, r, http.StatusOK, &out, "")
}

// vexFormats are the formats of the VEX export, by their ?format= name.
var vexFormats = map[string]struct {
	write    func(io.Writer, advisory.VEXExport) error
	filename string
}{
	"openvex": {advisory.WriteOpenVEX, "ward-vex.openvex.json"},
	"csaf":    {advisory.WriteCSAFVEX, "ward-vex.csaf.json"},
}

// vexStatuses map the store's statuses onto VEX's.
var vexStatuses = map[string]advisory.Status{
	store.StatusAffected:           advisory.Affected,
	store.StatusNotAffected:        advisory.NotAffected,
	store.StatusFixed:              advisory.Fixed,
	store.StatusUnderInvestigation: advisory.UnderInvestigation,
}

// vexRulings turns rulings into VEX rulings. An affected ruling needs an
// action statement, which is its note: those without one are returned
// in words, to be completed first.
func vexRulings(rows []store.DecisionRow) (rulings []advisory.VEXRuling, incomplete []string) {
	for _, d := range rows {
		vr := advisory.VEXRuling{Vuln: d.Vuln, Vendor: cmpOrText(d.Vendor, d.VendorKey),
			Model: cmpOrText(d.Model, d.ModelKey), Version: d.Version,
			Status: vexStatuses[d.Status], Timestamp: d.At}
		switch d.Status {
		case store.StatusNotAffected:
			vr.Justification, vr.Impact = d.Justification, d.Note
		default:
			vr.Action = d.Note
		}
		if d.Status == store.StatusAffected && strings.TrimSpace(d.Note) == "" {
			incomplete = append(incomplete, strings.TrimSpace(d.Vuln+" on "+vr.Vendor+" "+
				vr.Model+" "+d.Version))
		}
		rulings = append(rulings, vr)
	}
	return rulings, incomplete
}

// vexExportOf is the export of rulings from the Ward at host. Its ID
// names its content, so that the same rulings make the same document and
// changed ones another.
func vexExportOf(rows []store.DecisionRow, rulings []advisory.VEXRuling,
	host string) advisory.VEXExport {
	h := sha256.New()
	var latest time.Time
	for _, d := range rows {
		fmt.Fprintf(h, "%q %q %q %q %q %q %q %d\n", d.Vuln, d.VendorKey, d.ModelKey, d.Version,
			d.Status, d.Justification, d.Note, d.At.UnixNano())
		if d.At.After(latest) {
			latest = d.At
		}
	}
	ns := "https://" + host
	if u, err := url.Parse(ns); err != nil || u.Host != host || host == "" {
		ns = "https://ward.invalid"
	}
	id := "WARD-VEX-" + strings.ToUpper(hex.EncodeToString(h.Sum(nil))[:16])
	return advisory.VEXExport{ID: id, Title: "Rulings on medical device vulnerabilities",
		Publisher: "Ward at " + strings.TrimPrefix(ns, "https://"), Namespace: ns, Version: 1,
		Issued: latest, Updated: latest, Rulings: rulings}
}

// vexDocument writes the rulings in format. A refusal is a status and its
// reason; err is for a failure of the server's.
func (s *Server) vexDocument(r *http.Request, format string) (doc []byte, n int, status int,
	msg string, err error) {
	if format == "" {
		format = "openvex"
	}
	f, ok := vexFormats[format]
	if !ok {
		return nil, 0, http.StatusBadRequest, "format must be openvex or csaf", nil
	}
	rows, err := s.db.Decisions(r.Context())
	if err != nil {
		return nil, 0, 0, "", err
	}
	if len(rows) == 0 {
		return nil, 0, http.StatusConflict, "there are no rulings to export yet: rule on " +
			"findings in the review queue first", nil
	}
	rulings, incomplete := vexRulings(rows)
	if len(incomplete) > 0 {
		return nil, 0, http.StatusConflict, "an affected ruling needs an action statement (its " +
			"note: what is done about it) to be exported; complete these rulings first: " +
			listSome(incomplete, 20), nil
	}
	var buf bytes.Buffer
	err = f.write(&buf, vexExportOf(rows, rulings, r.Host))
	var ie *advisory.VEXInputError
	if errors.As(err, &ie) {
		return nil, 0, http.StatusConflict, "the rulings cannot be exported as they are: " +
			ie.Error(), nil
	}
	return buf.Bytes(), len(rows), 0, "", err
}

// listSome joins at most n of items, saying how many more there are.
func listSome(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, "; ")
	}
	return strings.Join(items[:n], "; ") + fmt.Sprintf("; and %d more", len(items)-n)
}

// sendVEX answers a VEX export as a download, audited.
func (s *Server) sendVEX(w http.ResponseWriter, r *http.Request, k kind) {
	format := r.URL.Query().Get("format")
	doc, n, status, msg, err := s.vexDocument(r, format)
	switch {
	case err != nil && k == api:
		s.apiInternal(w, r, err)
		return
	case err != nil:
		s.internal(w, r, err)
		return
	case status != 0 && k == api:
		writeJSONError(w, status, msg)
		return
	case status != 0:
		s.errorPage(w, r, status, "The rulings were not exported: "+msg)
		return
	}
	format = cmpOrText(format, "openvex")
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", `attachment; filename="`+vexFormats[format].filename+`"`)
	w.Write(doc)
	s.record(r, who(r.Context()).name, "export.vex", format, map[string]any{"rulings": n,
		"format": format})
}

func (s *Server) vexPage(w http.ResponseWriter, r *http.Request) { s.sendVEX(w, r, page) }
