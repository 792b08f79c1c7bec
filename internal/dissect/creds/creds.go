// Package creds answers one question for the dissectors that see cleartext
// logins (telnet, ftp): is this user name and password a published default?
//
// The list is the DefaultCreds cheat sheet (github.com/ihebski/DefaultCreds-cheat-sheet,
// MIT licence, see LICENSE-DefaultCreds), embedded as defaultcreds.csv and
// parsed once, on first use. Rows are "vendor,username,password". The rules
// applied while loading:
//
//   - "<blank>", "(blank)", "blank", "(none)", "<none>" and the empty field
//     all mean an empty user name or password.
//   - A field that describes a value rather than being one is skipped with
//     its row: it contains whitespace ("serial number of the Call-UPS",
//     "tiger or tigger"), is wrapped in <> or () ("<random string 8 symbol>",
//     "(see note)", "(any)"), contains a '[' or the word "serial"
//     ("bcpb[SERIAL NO.]"). The few real passwords with spaces in the list are
//     BIOS passwords, never typed over a network.
//   - Rows without exactly three fields are skipped.
//
// User names compare case-insensitively, passwords exactly. The package
// never logs, and it keeps no record of what it was asked.
package creds

import (
	_ "embed"
	"slices"
	"strings"
	"sync"
)

//go:embed defaultcreds.csv
var csvData string

// pair is a lookup key: user is lower-cased, password as published.
type pair struct {
	user, password string
}

// entry is what the list says about one pair.
type entry struct {
	account string   // the user name as first spelt in the list, or "" when not safe to report
	vendors []string // sorted, without duplicates
}

var (
	loadOnce sync.Once
	table    map[pair]*entry // built by load; read-only afterwards
)

// IsDefault reports whether user/password is a published default credential
// pair (exact, case-sensitive password; user compared case-insensitively).
// account is the user name when it is safe to report: a default or service
// account name from the list (admin, root, service, ...); otherwise "".
func IsDefault(user, password string) (account string, ok bool) {
	e := lookup(user, password)
	if e == nil {
		return "", false
	}
	return e.account, true
}

// Vendors returns the vendors that publish this pair, for explanation (no
// secrets). It returns nil when the pair is not in the list.
func Vendors(user, password string) []string {
	e := lookup(user, password)
	if e == nil {
		return nil
	}
	return slices.Clone(e.vendors)
}

// Len returns the number of distinct user/password pairs loaded.
func Len() int {
	loadOnce.Do(load)
	return len(table)
}

func lookup(user, password string) *entry {
	loadOnce.Do(load)
	return table[pair{strings.ToLower(user), password}]
}

func load() {
	table = parse(csvData)
}

// parse builds the lookup table from CSV text with a header line.
func parse(text string) map[pair]*entry {
	m := make(map[pair]*entry, 4096)
	first := true
	for line := range strings.Lines(text) {
		if first {
			first = false // header: productvendor,username,password
			continue
		}
		vendor, user, password, ok := splitRow(line)
		if !ok {
			continue
		}
		add(m, vendor, user, password)
	}
	return m
}

// splitRow returns the normalised fields of one row, or ok false when the
// row is to be skipped under the package rules.
func splitRow(line string) (vendor, user, password string, ok bool) {
	line = strings.TrimRight(line, "\r\n")
	fields := strings.Split(line, ",")
	if len(fields) != 3 {
		return "", "", "", false
	}
	vendor = strings.TrimSpace(fields[0])
	user, okUser := normalise(fields[1])
	password, okPass := normalise(fields[2])
	if vendor == "" || !okUser || !okPass {
		return "", "", "", false
	}
	return vendor, user, password, true
}

// normalise maps the list's blank markers to "" and rejects descriptions.
func normalise(field string) (string, bool) {
	f := strings.TrimSpace(field)
	switch strings.ToLower(f) {
	case "", "<blank>", "(blank)", "blank", "(none)", "<none>":
		return "", true
	}
	if strings.ContainsAny(f, " \t[") || strings.Contains(strings.ToLower(f), "serial") {
		return "", false
	}
	if wrapped(f, '<', '>') || wrapped(f, '(', ')') {
		return "", false
	}
	return f, true
}

func wrapped(s string, open, close byte) bool {
	return len(s) >= 2 && s[0] == open && s[len(s)-1] == close
}

func add(m map[pair]*entry, vendor, user, password string) {
	k := pair{strings.ToLower(user), password}
	e := m[k]
	if e == nil {
		e = &entry{account: safeAccount(user)}
		m[k] = e
	}
	i, found := slices.BinarySearch(e.vendors, vendor)
	if !found {
		e.vendors = slices.Insert(e.vendors, i, vendor)
	}
}

// safeAccount returns name when it looks like an account name rather than
// something that may name a person (an e-mail address) or carry free text:
// 1 to 32 of letters, digits and . _ - $ *.
func safeAccount(name string) string {
	if name == "" || len(name) > 32 {
		return ""
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '.', c == '_', c == '-', c == '$', c == '*':
		default:
			return ""
		}
	}
	return name
}
