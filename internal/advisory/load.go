package advisory

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
)

// MaxFileSize bounds one document Load reads, in bytes, after
// decompression. NVD's yearly feeds are the largest documents read.
const MaxFileSize = 512 << 20

// Set is what Load read from a file or a folder.
type Set struct {
	// Advisories are the CSAF and NVD advisories, one per ID (the newest
	// revision), in the order their files were read.
	Advisories []*Advisory
	// KEV is the newest KEV catalogue read; EPSS the scores of every
	// EPSS file, the newest score of each CVE kept. Both are nil when no
	// file gave them.
	KEV   *KEV
	EPSS  *EPSS
	SBOMs []*SBOM
	VEX   []*VEX
	// Problems are the documents refused and why: each with its File.
	Problems []Problem
	// Files counts the documents loaded (an older revision replaced by a
	// newer one included); Skipped the files that are not documents:
	// signatures, checksums, notes and schemas, symlinks out of the tree,
	// and files of no known format. A refused document counts in neither.
	Files, Skipped int
}

// LoadOptions are the options of Load.
type LoadOptions struct {
	// Keys are the OpenPGP public keys of trusted publishers. With none,
	// signatures are not checked.
	Keys openpgp.EntityList
	// RequireSignature refuses a CSAF document without a valid .asc
	// signature by one of Keys.
	RequireSignature bool
	// Progress, if set, is called after each file with the files done,
	// the files in all, and the file's path.
	Progress func(done, total int, file string)
}

// Load reads the documents of path, a file or a folder. A folder is
// walked in lexical order, symlinks followed only to files inside it;
// signatures (.asc), checksums (.sha512, .sha256), README, LICENSE and
// SOURCE files, schemas and hidden files are not read as documents. Each
// document is sniffed (see Sniff; gzip-compressed ones are decompressed),
// checked and parsed:
//
//   - a file.sha512 beside a document is checked against it, and a
//     file.asc is checked when opts.Keys is set; a document that fails
//     either is a Problem and is skipped. With opts.RequireSignature a
//     CSAF document without its .asc is refused too.
//   - a document that does not parse is one or more Problems and is
//     skipped; the rest still load.
//   - of two revisions of one advisory (same format, namespace and ID),
//     the newer is kept: by Updated, then Revision compared part by part
//     ("1.10" after "1.9").
//
// The error is for path itself being unreadable, or ctx done.
func Load(ctx context.Context, path string, opts LoadOptions) (*Set, error) {
	files, err := listFiles(path)
	if err != nil {
		return nil, err
	}
	l := &loader{opts: opts, set: &Set{}, advisoryAt: map[string]int{}, epssDay: map[string]time.Time{}}
	for i, f := range files {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("load advisories from %s: %w", path, err)
		}
		if err := l.file(f, len(files) == 1 && f.path == path); err != nil {
			return nil, err
		}
		if opts.Progress != nil {
			opts.Progress(i+1, len(files), f.path)
		}
	}
	return l.set, nil
}

// walkedFile is one file found by listFiles.
type walkedFile struct {
	path string
	// skip says why the file is not read as a document; "" for one that
	// is.
	skip string
	// side are the paths of the signature and checksum files beside it,
	// by extension (".asc", ".sha512").
	side map[string]string
	err  error // why the walk could not read it
}

// listFiles lists path, a file or a folder walked recursively.
func listFiles(path string) ([]walkedFile, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("load advisories: %w", err)
	}
	if !info.IsDir() {
		return withSideFiles([]walkedFile{{path: path}}, sideFilesBeside(path)), nil
	}
	root, err := filepath.EvalSymlinks(path)
	if err != nil {
		return nil, fmt.Errorf("load advisories: %w", err)
	}
	var files []walkedFile
	exists := map[string]bool{}
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == path {
				return err
			}
			files = append(files, walkedFile{path: p, err: err})
			return nil
		}
		if d.IsDir() {
			if p != path && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		exists[p] = true
		files = append(files, walkedFile{path: p, skip: skipReason(root, path, p, d)})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load advisories from %s: %w", path, err)
	}
	return withSideFiles(files, exists), nil
}

// sideFilesBeside returns which signature and checksum files sit beside
// a lone file.
func sideFilesBeside(path string) map[string]bool {
	exists := map[string]bool{}
	for _, ext := range sideExts {
		if info, err := os.Stat(path + ext); err == nil && info.Mode().IsRegular() {
			exists[path+ext] = true
		}
	}
	return exists
}

// sideExts are the extensions of files that vouch for a document.
var sideExts = []string{".asc", ".sha512"}

// withSideFiles notes, for each document, the side files that exist.
func withSideFiles(files []walkedFile, exists map[string]bool) []walkedFile {
	for i := range files {
		if files[i].skip != "" || files[i].err != nil {
			continue
		}
		for _, ext := range sideExts {
			if exists[files[i].path+ext] {
				if files[i].side == nil {
					files[i].side = map[string]string{}
				}
				files[i].side[ext] = files[i].path + ext
			}
		}
	}
	return files
}

// skipReason says why the file p, found under the folder given as path
// (root once symlinks are resolved), is not a document; "" if it may be.
func skipReason(root, path, p string, d fs.DirEntry) string {
	name := strings.ToLower(d.Name())
	rel, _ := filepath.Rel(path, p)
	switch {
	case strings.HasPrefix(name, "."):
		return "hidden"
	case strings.HasSuffix(name, ".asc"), strings.HasSuffix(name, ".sha512"),
		strings.HasSuffix(name, ".sha256"), strings.HasSuffix(name, ".sig"):
		return "signature or checksum"
	case strings.HasPrefix(name, "readme"), strings.HasPrefix(name, "license"),
		strings.HasPrefix(name, "licence"), strings.HasPrefix(name, "source") && strings.HasSuffix(name, ".md"):
		return "notes"
	case strings.Contains(strings.ToLower(rel), "schema"):
		return "schema"
	case d.Type()&fs.ModeSymlink != 0:
		return symlinkSkip(root, p)
	case !d.Type().IsRegular():
		return "not a regular file"
	}
	return ""
}

// symlinkSkip follows a symlink, which must lead to a regular file inside
// root.
func symlinkSkip(root, p string) string {
	target, err := filepath.EvalSymlinks(p)
	if err != nil {
		return "broken symlink"
	}
	if rel, err := filepath.Rel(root, target); err != nil || rel == ".." ||
		strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "symlink out of the folder"
	}
	if info, err := os.Stat(target); err != nil || !info.Mode().IsRegular() {
		return "symlink to a folder"
	}
	return ""
}

// loader holds the state of one Load.
type loader struct {
	opts LoadOptions
	set  *Set
	// advisoryAt indexes set.Advisories by advisoryKey.
	advisoryAt map[string]int
	// epssDay is the score date of each CVE in set.EPSS.
	epssDay map[string]time.Time
}

// file reads, checks and parses one file. Only when the file is the path
// Load was given does failing to read it end the load.
func (l *loader) file(f walkedFile, alone bool) error {
	if f.err != nil {
		l.problem(f.path, f.err)
		return nil
	}
	if f.skip != "" {
		l.set.Skipped++
		return nil
	}
	data, err := readDocument(f.path)
	if err != nil {
		if alone {
			return fmt.Errorf("load advisories: %w", err)
		}
		l.problem(f.path, err)
		return nil
	}
	format := Sniff(f.path, data)
	if format == "" {
		l.set.Skipped++
		return nil
	}
	if err := l.vouch(f, format, data); err != nil {
		l.problem(f.path, err)
		return nil
	}
	if err := l.parse(f.path, format, data); err != nil {
		l.problem(f.path, err)
		return nil
	}
	l.set.Files++
	return nil
}

// readDocument reads a file of at most MaxFileSize bytes, decompressing
// it if it is gzip-compressed.
func readDocument(path string) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	data, err := readCapped(fh, path)
	if err != nil || !isGzip(data) {
		return data, err
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return readCapped(zr, path)
}

func readCapped(r io.Reader, path string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("read %s: over the limit of %d MiB", path, MaxFileSize>>20)
	}
	return data, nil
}

func isGzip(b []byte) bool { return len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b }

// vouch checks a document against its checksum and signature files.
func (l *loader) vouch(f walkedFile, format Format, data []byte) error {
	if p, ok := f.side[".sha512"]; ok {
		sum, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := CheckSHA512(data, sum); err != nil {
			return fmt.Errorf("%s: %w", filepath.Base(p), err)
		}
	}
	p, signed := f.side[".asc"]
	switch {
	case l.opts.RequireSignature && format == CSAF && !signed:
		return errors.New("signature required, and there is no .asc file")
	case l.opts.RequireSignature && format == CSAF && len(l.opts.Keys) == 0:
		return errors.New("signature required, and no OpenPGP key is configured")
	case !signed || len(l.opts.Keys) == 0:
		return nil
	}
	sig, err := os.ReadFile(p)
	if err != nil {
		return err
	}
	if err := CheckSignature(data, sig, l.opts.Keys); err != nil {
		return fmt.Errorf("%s: %w", filepath.Base(p), err)
	}
	return nil
}

// problem records the problems of a refused file.
func (l *loader) problem(file string, err error) {
	var inv *InvalidError
	if errors.As(err, &inv) && len(inv.Problems) > 0 {
		for _, p := range inv.Problems {
			p.File = file
			l.set.Problems = append(l.set.Problems, p)
		}
		return
	}
	l.set.Problems = append(l.set.Problems, Problem{File: file, Reason: err.Error()})
}

// parse parses a document of a known format into the set.
func (l *loader) parse(path string, format Format, data []byte) error {
	switch format {
	case CSAF:
		a, err := ParseCSAF(data)
		if err != nil {
			return err
		}
		l.addAdvisory(a)
	case NVD:
		as, err := ParseNVD(data)
		if err != nil {
			return err
		}
		for _, a := range as {
			l.addAdvisory(a)
		}
	case KEVFormat:
		k, err := ParseKEV(data)
		if err != nil {
			return err
		}
		if l.set.KEV == nil || kevNewer(k, l.set.KEV) {
			l.set.KEV = k
		}
	case EPSSFormat:
		return l.parseEPSS(path, data)
	case CycloneDX:
		s, err := ParseCycloneDX(data)
		if err != nil {
			return err
		}
		l.set.SBOMs = append(l.set.SBOMs, s)
	case OpenVEX:
		v, err := ParseOpenVEX(data)
		if err != nil {
			return err
		}
		l.set.VEX = append(l.set.VEX, v)
	}
	return nil
}

// advisoryKey identifies an advisory across revisions.
func advisoryKey(a *Advisory) string {
	return string(a.Format) + "\x00" + a.Namespace + "\x00" + a.ID
}

// addAdvisory adds a, or replaces an older revision of it.
func (l *loader) addAdvisory(a *Advisory) {
	k := advisoryKey(a)
	i, ok := l.advisoryAt[k]
	if !ok {
		l.advisoryAt[k] = len(l.set.Advisories)
		l.set.Advisories = append(l.set.Advisories, a)
		return
	}
	if newerRevision(a, l.set.Advisories[i]) {
		l.set.Advisories[i] = a
	}
}

// newerRevision tells whether a is a later revision than b.
func newerRevision(a, b *Advisory) bool {
	if !a.Updated.Equal(b.Updated) {
		return a.Updated.After(b.Updated)
	}
	return compareRevisions(a.Revision, b.Revision) > 0
}

// compareRevisions compares dotted revisions part by part, numerically
// where both parts are numbers; a missing part is 0 ("2" = "2.0").
func compareRevisions(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := range max(len(as), len(bs)) {
		x, y := "0", "0"
		if i < len(as) {
			x = as[i]
		}
		if i < len(bs) {
			y = bs[i]
		}
		if c := compareRevisionPart(x, y); c != 0 {
			return c
		}
	}
	return 0
}

func compareRevisionPart(x, y string) int {
	nx, ex := strconv.ParseUint(x, 10, 64)
	ny, ey := strconv.ParseUint(y, 10, 64)
	switch {
	case ex == nil && ey == nil:
		return cmpOrder(nx, ny)
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

func cmpOrder(x, y uint64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// kevNewer tells whether catalogue a is newer than b: by release date
// (for CSV, which has none, the latest date added), then by size.
func kevNewer(a, b *KEV) bool {
	da, db := kevAsOf(a), kevAsOf(b)
	if !da.Equal(db) {
		return da.After(db)
	}
	return len(a.Entries) > len(b.Entries)
}

func kevAsOf(k *KEV) time.Time {
	if !k.Released.IsZero() {
		return k.Released
	}
	var t time.Time
	for _, e := range k.Entries {
		if e.Added.After(t) {
			t = e.Added
		}
	}
	return t
}

// epssSeriesCVE finds the CVE a time-series file is named after.
var epssSeriesCVE = regexp.MustCompile(`(?i)CVE-[0-9]{4}-[0-9]{4,19}`)

// parseEPSS reads a daily file or a time series named after its CVE, and
// merges its scores into the set's: a CVE's newer score wins.
func (l *loader) parseEPSS(path string, data []byte) error {
	var e *EPSS
	var err error
	if epssHeader(data).series() {
		cve := strings.ToUpper(epssSeriesCVE.FindString(filepath.Base(path)))
		if cve == "" {
			return errors.New("epss time series: the file name names no CVE")
		}
		e, err = ParseEPSSSeries(cve, bytes.NewReader(data))
	} else {
		e, err = ParseEPSS(bytes.NewReader(data))
	}
	if err != nil {
		return err
	}
	l.mergeEPSS(e)
	return nil
}

func (l *loader) mergeEPSS(e *EPSS) {
	if l.set.EPSS == nil {
		l.set.EPSS = &EPSS{Scores: make(map[string]EPSSScore, len(e.Scores))}
	}
	all := l.set.EPSS
	if e.Date.After(all.Date) || all.Date.IsZero() {
		all.Model, all.Date = e.Model, e.Date
	}
	for cve, s := range e.Scores {
		if day, ok := l.epssDay[cve]; ok && day.After(e.Date) {
			continue
		}
		all.Scores[cve] = s
		l.epssDay[cve] = e.Date
	}
}

// sniffGzipHead bounds what Sniff decompresses of a gzip head.
const sniffGzipHead = 64 << 10

// Sniff tells the format of a document from its first bytes (the whole
// of it, or enough to hold its first keys: a few KiB do for every layout
// read here), and from its name where the content does not tell:
//
//   - JSON: CSAF has document.csaf_version; CycloneDX bomFormat
//     "CycloneDX"; OpenVEX an @context of openvex.dev; KEV a
//     catalogVersion; NVD a cve object, an NVD record's own keys
//     (sourceIdentifier, vulnStatus), or an API response's
//     (resultsPerPage, format "NVD_CVE").
//   - XML: CycloneDX by its namespace.
//   - CSV: EPSS by its comment line or its header (cve,epss or
//     date,…,epss), KEV by its header (cveID,vendorProject,…).
//   - gzip: the format of what it holds.
//
// A name only decides when the content does not: ICS advisories
// ("icsma-…", "icsa-…") are CSAF, "known_exploited_vulnerabilities…"
// KEV, "…epss…" EPSS, "….cdx.json", "bom.json" and the like CycloneDX,
// "…openvex…" OpenVEX. That way a damaged document is reported rather
// than passed over. "" is a file of no known format.
func Sniff(name string, head []byte) Format {
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	if isGzip(head) {
		return sniffGzip(name, head)
	}
	t := bytes.TrimLeft(head, " \t\r\n")
	var f Format
	switch {
	case len(t) == 0:
	case t[0] == '{':
		f = sniffJSON(t)
	case t[0] == '<':
		if bytes.Contains(t[:min(len(t), 4096)], []byte(cdxXMLNamespace)) {
			f = CycloneDX
		}
	default:
		f = sniffCSV(t)
	}
	if f == "" {
		f = sniffName(name)
	}
	return f
}

// sniffGzip sniffs the start of what a gzip head holds.
func sniffGzip(name string, head []byte) Format {
	zr, err := gzip.NewReader(bytes.NewReader(head))
	if err != nil {
		return ""
	}
	inner, _ := io.ReadAll(io.LimitReader(zr, sniffGzipHead))
	if isGzip(inner) {
		return ""
	}
	return Sniff(strings.TrimSuffix(strings.TrimSuffix(name, ".gz"), ".GZ"), inner)
}

// sniffName is the format a file name suggests.
func sniffName(name string) Format {
	base := strings.ToLower(filepath.Base(name))
	isJSON := strings.HasSuffix(base, ".json")
	switch {
	case isJSON && (strings.HasPrefix(base, "icsma-") || strings.HasPrefix(base, "icsa-")):
		return CSAF
	case strings.HasPrefix(base, "known_exploited_vulnerabilities"):
		return KEVFormat
	case strings.Contains(base, "epss") && !isJSON:
		return EPSSFormat
	case strings.Contains(base, ".cdx."), base == "bom.json", base == "bom.xml":
		return CycloneDX
	case isJSON && strings.Contains(base, "openvex"):
		return OpenVEX
	}
	return ""
}

// sniffCSV tells EPSS and KEV CSV apart by their first lines.
func sniffCSV(t []byte) Format {
	line, _, _ := bytes.Cut(t, []byte("\n"))
	if line[0] == '#' {
		if bytes.Contains(line, []byte("model_version")) || bytes.Contains(line, []byte("score_date")) {
			return EPSSFormat
		}
		return ""
	}
	cols := map[string]bool{}
	for c := range strings.SplitSeq(strings.ToLower(string(bytes.TrimSpace(line))), ",") {
		cols[strings.TrimSpace(c)] = true
	}
	switch {
	case cols["epss"] && (cols["cve"] || cols["date"]):
		return EPSSFormat
	case cols["cveid"] && cols["vendorproject"]:
		return KEVFormat
	}
	return ""
}

// sniffJSON walks the first keys of a JSON object until they tell the
// format, or the head ends.
func sniffJSON(t []byte) Format {
	dec := json.NewDecoder(bytes.NewReader(t))
	var keys []string   // the current key of each enclosing container ("" for arrays)
	var inObject []bool // whether each enclosing container is an object
	var ifObject Format // the format, if the value now read is an object
	expectKey := false
	for {
		tok, err := dec.Token()
		if err != nil {
			return ""
		}
		if d, ok := tok.(json.Delim); ok && d == '{' && ifObject != "" {
			return ifObject
		}
		ifObject = ""
		depth := len(inObject)
		switch v := tok.(type) {
		case json.Delim:
			if v == '{' || v == '[' {
				inObject, keys = append(inObject, v == '{'), append(keys, "")
				expectKey = v == '{'
				continue
			}
			inObject, keys = inObject[:depth-1], keys[:depth-1]
		case string:
			if expectKey {
				keys[depth-1] = v
				var f Format
				if f, ifObject = sniffKey(keys); f != "" {
					return f
				}
				expectKey = false
				continue
			}
			if f := sniffValue(keys, v); f != "" {
				return f
			}
		}
		expectKey = len(inObject) > 0 && inObject[len(inObject)-1]
	}
}

// sniffKey tells the format from the path of keys to a member, if it
// can, or if the member's value turns out to be an object.
func sniffKey(keys []string) (f, ifObject Format) {
	switch len(keys) {
	case 1:
		switch keys[0] {
		case "catalogVersion":
			return KEVFormat, ""
		case "sourceIdentifier", "vulnStatus", "resultsPerPage":
			return NVD, ""
		case "cve":
			return "", NVD // {"cve": {...}}
		}
	case 2:
		if keys[0] == "document" && keys[1] == "csaf_version" {
			return CSAF, ""
		}
	case 3:
		if keys[0] == "vulnerabilities" && keys[2] == "cve" {
			return "", NVD // an API response's item; CSAF's cve is a string
		}
	}
	return "", ""
}

// sniffValue tells the format from a string member, if it can.
func sniffValue(keys []string, v string) Format {
	if len(keys) != 1 {
		return ""
	}
	switch {
	case keys[0] == "bomFormat" && v == "CycloneDX":
		return CycloneDX
	case keys[0] == "@context" && strings.HasPrefix(v, openvexContext):
		return OpenVEX
	case keys[0] == "format" && v == "NVD_CVE":
		return NVD
	}
	return ""
}
