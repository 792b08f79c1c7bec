package creds

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestIsDefault(t *testing.T) {
	tests := []struct {
		name, user, password string
		wantAccount          string
		wantOK               bool
	}{
		{"philips admin", "admin", "admin", "admin", true},
		{"user case-insensitive", "ADMIN", "admin", "admin", true},
		{"password case-sensitive", "museadmin", "muse!admin", "", false},
		{"ge muse", "museadmin", "Muse!Admin", "museadmin", true},
		{"welch allyn cardioperfect", "sa", "Cardio.Perfect", "sa", true},
		{"carestream", "KeyOperator", "DV5800", "KeyOperator", true},
		{"siemens blank password", "admin", "", "admin", true},
		{"blank user", "", "SKY_FOX", "", true},
		{"e-mail user is not reported", "admin@example.com", "admin", "", true},
		{"unknown pair", "admin", "correct horse battery", "", false},
		{"unknown user", "nurse.jones", "admin", "", false},
		{"placeholder password skipped", "admin", "<random string 8 symbol>", "", false},
		{"description skipped", "", "serial number of the Call-UPS", "", false},
		{"parenthesised user skipped", "(any)", "TENmanUFactOryPOWER", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			account, ok := IsDefault(tt.user, tt.password)
			if account != tt.wantAccount || ok != tt.wantOK {
				t.Errorf("IsDefault(%q, ...) = %q, %v; want %q, %v",
					tt.user, account, ok, tt.wantAccount, tt.wantOK)
			}
		})
	}
}

func TestVendors(t *testing.T) {
	tests := []struct {
		name, user, password string
		want                 []string
	}{
		{"ge", "museadmin", "Muse!Admin", []string{"GE"}},
		{"siemens op", "op", "op", []string{"Data General", "Siemens", "Siemens Corp"}},
		{"absent", "nobody", "nothing-here", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Vendors(tt.user, tt.password)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Vendors(%q, ...) mismatch (-want +got):\n%s", tt.user, diff)
			}
		})
	}
}

func TestVendorsReturnsCopy(t *testing.T) {
	v := Vendors("admin", "admin")
	if len(v) == 0 {
		t.Fatal("got no vendors for admin/admin, want several")
	}
	v[0] = "changed"
	if got := Vendors("admin", "admin")[0]; got == "changed" {
		t.Errorf("got %q after editing the returned slice, want the table unchanged", got)
	}
}

func TestParseRules(t *testing.T) {
	const text = "productvendor,username,password\n" +
		"Acme,admin,<blank>\r\n" +
		"Acme,<blank>,1234\n" +
		"Acme,root,(none)\n" +
		"Acme,op,<N/A>\n" +
		"Acme,op,(see note)\n" +
		"Acme,op,two words\n" +
		"Acme,op,bcpb[SERIAL]\n" +
		"Acme,extra,field,here\n" +
		"Beta,Admin,<blank>\n" +
		",nouser,novendor\n"
	m := parse(text)
	want := map[pair][]string{
		{"admin", ""}: {"Acme", "Beta"},
		{"", "1234"}:  {"Acme"},
		{"root", ""}:  {"Acme"},
	}
	got := make(map[pair][]string, len(m))
	for k, e := range m {
		got[k] = e.vendors
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(pair{})); diff != "" {
		t.Errorf("parse mismatch (-want +got):\n%s", diff)
	}
	if a := m[pair{"admin", ""}].account; a != "admin" {
		t.Errorf("got account %q, want the first spelling %q", a, "admin")
	}
}

func TestLen(t *testing.T) {
	// The sheet has about 3,766 rows but only about 2,370 distinct pairs; the
	// skipped descriptions bring it a little lower.
	if n := Len(); n < 2000 || n > 2400 {
		t.Errorf("got %d pairs, want between 2000 and 2400", n)
	}
}

func BenchmarkIsDefault(b *testing.B) {
	Len() // load outside the timed loop
	b.ReportAllocs()
	for b.Loop() {
		IsDefault("admin", "admin")
		IsDefault("someone", "s3cret!")
	}
}
