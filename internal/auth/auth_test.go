package auth

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// fast are cheap parameters for tests; DefaultParams are tested once.
var fast = Params{Memory: 64, Time: 1, Threads: 1}

func TestPasswordRoundTrip(t *testing.T) {
	for _, pw := range []string{"correct horse battery staple", "Dräger-Ward-7 O'Brien", "🩺🩺🩺🩺🩺🩺🩺🩺🩺🩺🩺🩺"} {
		h, err := HashPassword(pw, fast)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
			t.Errorf("hash %q: not PHC argon2id with the parameters", h)
		}
		if strings.Contains(h, pw) {
			t.Errorf("hash %q contains the password", h)
		}
		if err := VerifyPassword(h, pw); err != nil {
			t.Errorf("VerifyPassword(own hash) = %v", err)
		}
		if err := VerifyPassword(h, pw+"x"); !errors.Is(err, ErrMismatch) {
			t.Errorf("wrong password: got %v, want ErrMismatch", err)
		}
	}
}

func TestDefaultParams(t *testing.T) {
	h, err := HashPassword("a long enough passphrase", DefaultParams)
	if err != nil {
		t.Fatal(err)
	}
	if NeedsRehash(h, DefaultParams) {
		t.Error("a fresh default hash needs rehashing")
	}
	if !NeedsRehash(h, fast) {
		t.Error("a hash with other parameters does not need rehashing")
	}
}

func TestSaltsDiffer(t *testing.T) {
	a, _ := HashPassword("the same passphrase", fast)
	b, _ := HashPassword("the same passphrase", fast)
	if a == b {
		t.Error("two hashes of one password are equal: no salt")
	}
}

func TestBadHashes(t *testing.T) {
	good, _ := HashPassword("a long enough passphrase", fast)
	parts := strings.Split(good, "$")
	for name, h := range map[string]string{
		"empty":        "",
		"bcrypt":       "$2a$10$abcdefghijklmnopqrstuv",
		"argon2i":      strings.Replace(good, "argon2id", "argon2i", 1),
		"old version":  strings.Replace(good, "v=19", "v=16", 1),
		"huge memory":  strings.Join([]string{"", parts[1], parts[2], "m=4194304,t=1,p=1", parts[4], parts[5]}, "$"),
		"huge time":    strings.Join([]string{"", parts[1], parts[2], "m=64,t=1000,p=1", parts[4], parts[5]}, "$"),
		"bad salt":     strings.Join([]string{"", parts[1], parts[2], parts[3], "!!", parts[5]}, "$"),
		"short key":    strings.Join([]string{"", parts[1], parts[2], parts[3], parts[4], "AAAA"}, "$"),
		"extra field":  good + "$x",
		"threads zero": strings.Join([]string{"", parts[1], parts[2], "m=64,t=1,p=0", parts[4], parts[5]}, "$"),
	} {
		if err := VerifyPassword(h, "a long enough passphrase"); !errors.Is(err, ErrBadHash) {
			t.Errorf("%s: got %v, want ErrBadHash", name, err)
		}
	}
}

func TestCheckPassword(t *testing.T) {
	tests := map[string]error{
		"short":                        ErrWeakPassword,
		"twelve chars":                 nil,
		strings.Repeat("x", 1025):      ErrLongPassword,
		"correct horse battery staple": nil,
	}
	for pw, want := range tests {
		if got := CheckPassword(pw); !errors.Is(got, want) {
			t.Errorf("CheckPassword(%.20q) = %v, want %v", pw, got, want)
		}
	}
}

func TestSecrets(t *testing.T) {
	s, h, err := NewSecret(KindToken)
	if err != nil {
		t.Fatal(err)
	}
	if SecretKind(s) != KindToken {
		t.Errorf("SecretKind(%q) = %q, want %q", s, SecretKind(s), KindToken)
	}
	if h != HashSecret(s) || strings.Contains(h, s) || !SameHash(h, HashSecret(s)) {
		t.Error("the stored hash does not identify the secret, or holds it")
	}
	s2, _, _ := NewSecret(KindToken)
	if s == s2 {
		t.Error("two secrets are equal")
	}
	for _, bad := range []string{"", "wardt_", "other_" + s[6:], s + "x"} {
		if SecretKind(bad) != "" {
			t.Errorf("SecretKind(%q) = %q, want none", bad, SecretKind(bad))
		}
	}
}

func TestThrottle(t *testing.T) {
	now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	th := NewThrottle()
	th.Now = func() time.Time { return now }
	for i := range 4 {
		th.Fail("alice")
		if ok, _ := th.Allow("alice"); !ok {
			t.Fatalf("locked out after %d failures, want 5", i+1)
		}
	}
	th.Fail("alice")
	ok, wait := th.Allow("alice")
	if ok || wait != time.Minute {
		t.Fatalf("after 5 failures: allowed %v, wait %v; want locked out for 1m", ok, wait)
	}
	if ok, _ := th.Allow("bob"); !ok {
		t.Error("another user is locked out too")
	}
	now = now.Add(time.Minute)
	if ok, _ := th.Allow("alice"); !ok {
		t.Error("still locked out after the lockout")
	}
	for range 5 {
		th.Fail("alice")
	}
	if _, wait := th.Allow("alice"); wait != 2*time.Minute {
		t.Errorf("second lockout %v, want 2m", wait)
	}
	now = now.Add(2 * time.Minute)
	th.Succeed("alice")
	th.Fail("alice")
	if ok, _ := th.Allow("alice"); !ok {
		t.Error("one failure after a success locks out")
	}
}

func TestThrottleWindow(t *testing.T) {
	now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	th := NewThrottle()
	th.Now = func() time.Time { return now }
	for range 4 {
		th.Fail("alice")
	}
	now = now.Add(16 * time.Minute)
	th.Fail("alice")
	if ok, _ := th.Allow("alice"); !ok {
		t.Error("failures older than the window still count")
	}
}

func TestThrottleBounded(t *testing.T) {
	th := NewThrottle()
	th.MaxKeys = 100
	for i := range 1000 {
		th.Fail("user" + string(rune('a'+i%26)) + strings.Repeat("x", i%50))
	}
	if len(th.keys) > th.MaxKeys {
		t.Errorf("%d keys held, want at most %d", len(th.keys), th.MaxKeys)
	}
}

// TestPermissions pins the whole matrix: every role and permission.
func TestPermissions(t *testing.T) {
	all := []Permission{PermDevicesRead, PermDevicesEdit, PermIngest, PermRegisterImport,
		PermExport, PermAuditRead, PermUsersManage, PermTokensManage, PermVulnsRead,
		PermVulnsReview, PermFeedsImport, PermPatchesManage, PermAlertsManage,
		PermSegmentRead, PermSegmentEdit, PermSegmentExport, PermClinicalSafety}
	want := map[Role]string{ // one letter a permission, in the order of all
		RoleAdmin:               "RWIGEAUTVDFPNSZX-",
		RoleSecurity:            "RWI-EA--VDF-NSZ--",
		RoleClinicalEngineering: "RW-GE---VD-P-S---",
		RoleNetwork:             "RWI-E---V----SZX-",
		RoleAuditor:             "R---EA--V----S---",
		RoleClinicalSafety:      "R---E---V----S--C",
	}
	for _, r := range Roles {
		var got []byte
		for i, p := range all {
			c := byte('-')
			if Allowed(r, p) {
				c = "RWIGEAUTVDFPNSZXC"[i]
			}
			got = append(got, c)
		}
		if string(got) != want[r] {
			t.Errorf("%s: %s, want %s", r, got, want[r])
		}
	}
	if Allowed("superuser", PermDevicesRead) || Allowed(RoleAdmin, "reactor.scram") {
		t.Error("an unknown role or permission is allowed")
	}
}

func TestPrincipalSites(t *testing.T) {
	ce := Principal{Name: "cara", Role: RoleClinicalEngineering, Sites: []string{"St Thomas'"}}
	if !ce.Can(PermDevicesEdit, "St Thomas'") || ce.Can(PermDevicesEdit, "Guy's") || ce.Can(PermDevicesEdit, "") {
		t.Error("a site-limited principal acts outside its sites")
	}
	if ce.Can(PermUsersManage, "St Thomas'") {
		t.Error("site scoping grants what the role does not")
	}
	admin := Principal{Name: "root", Role: RoleAdmin}
	if !admin.Can(PermDevicesEdit, "") || !admin.Can(PermDevicesEdit, "Guy's") {
		t.Error("an unlimited admin is refused")
	}
	if r, err := ParseRole("clinical-safety-officer"); err != nil || r != RoleClinicalSafety {
		t.Errorf("ParseRole(clinical-safety-officer) = %q, %v", r, err)
	}
	if _, err := ParseRole("Admin"); err == nil {
		t.Error("ParseRole accepts a name out of case")
	}
}

func FuzzVerifyPassword(f *testing.F) {
	h, _ := HashPassword("a long enough passphrase", fast)
	f.Add(h, "a long enough passphrase")
	f.Add("$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5", "x")
	f.Fuzz(func(t *testing.T, hash, pw string) {
		// Costly parameters are parsed, not run: a fuzzing run must not
		// spend a second and 256 MiB on one input.
		if p, _, _, err := parseHash(hash); err == nil && (p.Memory > 1024 || p.Time > 2) {
			return
		}
		err := VerifyPassword(hash, pw)
		if err != nil && !errors.Is(err, ErrMismatch) && !errors.Is(err, ErrBadHash) {
			t.Fatalf("unexpected error %v", err)
		}
	})
}
