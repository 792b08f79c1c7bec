package syslog

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wardhq/ward/internal/dissect"
	"github.com/wardhq/ward/internal/dissect/dissecttest"
)

// The sender of the corpus messages, a Cisco PIX.
var pix = dissecttest.Endpoint("00:09:7c:18:b8:60", "192.168.0.3")

// f builds a fact about pix.
func f(key, value string, c dissect.Confidence) dissect.Fact {
	return dissecttest.Fact(pix, "syslog", key, value, c)
}

type syslogCase struct {
	name    string
	payload string // when empty, testdata/name.hex
	want    []dissect.Fact
	wantErr bool
}

// realCases are from the corpus (testdata/SOURCE.md); tshark agrees on
// syslog.facility 20 (local4).
var realCases = []syslogCase{
	{name: "pix_126", want: []dissect.Fact{
		f("syslog_facility", "local4", dissect.Low),
		f("cisco_facility", "PIX", dissect.Medium),
	}},
	{name: "pix_144", want: []dissect.Fact{
		f("syslog_facility", "local4", dissect.Low),
		f("cisco_facility", "PIX", dissect.Medium),
	}},
}

// rfcCases are the examples of RFC 3164 section 5.4 and RFC 5424 section
// 6.5, as the RFCs print them, and a few more written after them.
var rfcCases = []syslogCase{
	{
		name:    "rfc 3164 example 1",
		payload: "<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8",
		want: []dissect.Fact{
			f("syslog_facility", "auth", dissect.Low),
			f("hostname", "mymachine", dissect.Medium),
			f("syslog_app", "su", dissect.Medium),
		},
	},
	{
		name:    "rfc 3164 example 2, address for hostname and no tag",
		payload: "<13>Feb  5 17:32:18 10.0.0.99 Use the BFG!",
		want:    []dissect.Fact{f("syslog_facility", "user", dissect.Low)},
	},
	{
		name: "rfc 3164 example 3, time zone and year before hostname",
		payload: "<165>Aug 24 05:34:00 CST 1987 mymachine myproc[10]: %% It's time to make " +
			"the do-nuts.  %%  Ingredients: Mix=OK, Jelly=OK # Devices: Mixer=OK",
		want: []dissect.Fact{f("syslog_facility", "local4", dissect.Low)},
	},
	{
		name:    "rfc 3164 example 4, year first",
		payload: "<0>1990 Oct 22 10:52:01 TZ-6 scapegoat.dmz.example.org 10.1.2.3 sched[0]: That's All Folks!",
		want:    []dissect.Fact{f("syslog_facility", "kern", dissect.Low)},
	},
	{
		name: "rfc 5424 example 1",
		payload: "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - " +
			"\xef\xbb\xbf'su root' failed for lonvick on /dev/pts/8",
		want: []dissect.Fact{
			f("syslog_facility", "auth", dissect.Low),
			f("hostname", "mymachine.example.com", dissect.Medium),
			f("syslog_app", "su", dissect.Medium),
		},
	},
	{
		name:    "rfc 5424 example 2, address for hostname",
		payload: "<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.",
		want: []dissect.Fact{
			f("syslog_facility", "local4", dissect.Low),
			f("syslog_app", "myproc", dissect.Medium),
		},
	},
	{
		name: "rfc 5424 example 4, two sd elements",
		payload: `<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 ` +
			`[exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"]` +
			`[examplePriority@32473 class="high"]`,
		want: []dissect.Fact{
			f("syslog_facility", "local4", dissect.Low),
			f("hostname", "mymachine.example.com", dissect.Medium),
			f("syslog_app", "evntslog", dissect.Medium),
		},
	},
	{
		name: "rfc 5424 origin element",
		payload: `<30>1 2024-05-01T10:00:00Z infusion-gw - - - [meta x="\"]"][origin ` +
			`software="rsyslogd" swVersion="8.2102.0" x-pid="812"] hello`,
		want: []dissect.Fact{
			f("syslog_facility", "daemon", dissect.Low),
			f("hostname", "infusion-gw", dissect.Medium),
			f("software", "rsyslogd 8.2102.0", dissect.Medium),
		},
	},
	{
		name:    "rfc 5424 nil values",
		payload: "<14>1 - - - - - -",
		want:    []dissect.Fact{f("syslog_facility", "user", dissect.Low)},
	},
	{
		name:    "linux daemon",
		payload: "<38>Jan  5 09:01:02 ward-pc sshd[1234]: Accepted publickey for root",
		want: []dissect.Fact{
			f("syslog_facility", "auth", dissect.Low),
			f("hostname", "ward-pc", dissect.Medium),
			f("syslog_app", "sshd", dissect.Medium),
		},
	},
	{
		name:    "tag without hostname",
		payload: "<13>Jan 15 09:01:02.123 kernel: eth0 link up",
		want: []dissect.Fact{
			f("syslog_facility", "user", dissect.Low),
			f("syslog_app", "kernel", dissect.Medium),
		},
	},
	{
		name:    "rfc 3339 timestamp in bsd form",
		payload: "<86>2024-01-05T09:01:02.5+00:00 pacs01 postfix/smtpd[99]: connect",
		want: []dissect.Fact{
			f("syslog_facility", "authpriv", dissect.Low),
			f("hostname", "pacs01", dissect.Medium),
			f("syslog_app", "postfix/smtpd", dissect.Medium),
		},
	},
	{
		name:    "cisco ios with sequence number",
		payload: "<189>45: *Mar  1 01:23:45.123: %SYS-5-CONFIG_I: Configured from console by vty0",
		want: []dissect.Fact{
			f("syslog_facility", "local7", dissect.Low),
			f("cisco_facility", "SYS", dissect.Medium),
		},
	},
	{
		name:    "cisco asa with hostname and year",
		payload: "<166>Jan 05 2024 09:01:02 asa-edge : %ASA-6-302013: Built outbound TCP connection",
		want: []dissect.Fact{
			f("syslog_facility", "local4", dissect.Low),
			f("cisco_facility", "ASA", dissect.Medium),
		},
	},
	{
		name:    "hostname not followed by a tag is not taken",
		payload: "<13>Jan  5 09:01:02 Smith John admitted to ward 7",
		want:    []dissect.Fact{f("syslog_facility", "user", dissect.Low)},
	},
}

var badCases = []syslogCase{
	{name: "empty", payload: "", wantErr: true},
	{name: "no pri", payload: "Oct 11 22:14:15 host su: x", wantErr: true},
	{name: "pri not closed", payload: "<34", wantErr: true},
	{name: "pri too long", payload: "<0034>x", wantErr: true},
	{name: "pri empty", payload: "<>x", wantErr: true},
	{name: "pri letters", payload: "<3a>x", wantErr: true},
	{name: "pri over 191", payload: "<192>x", wantErr: true},
	{
		name: "rfc 5424 cut in the hostname", payload: "<34>1 2003-10-11T22:14:15Z mymach",
		want: []dissect.Fact{f("syslog_facility", "auth", dissect.Low)}, wantErr: true,
	},
	{
		name: "rfc 5424 cut in the procid", payload: "<34>1 2003-10-11T22:14:15Z mymachine su 12",
		want: []dissect.Fact{
			f("syslog_facility", "auth", dissect.Low),
			f("hostname", "mymachine", dissect.Medium),
			f("syslog_app", "su", dissect.Medium),
		}, wantErr: true,
	},
	{
		name:    "rfc 5424 unterminated sd",
		payload: `<34>1 - host app - - [origin software="x`,
		want: []dissect.Fact{
			f("syslog_facility", "auth", dissect.Low),
			f("hostname", "host", dissect.Medium),
			f("syslog_app", "app", dissect.Medium),
		},
	},
}

func TestDissect(t *testing.T) {
	ctx := &dissect.Context{Src: pix, SrcPort: 514, DstPort: 514}
	all := append(append(append([]syslogCase{}, realCases...), rfcCases...), badCases...)
	for _, tc := range all {
		t.Run(tc.name, func(t *testing.T) {
			p := []byte(tc.payload)
			if tc.payload == "" && !tc.wantErr {
				p = dissecttest.Hex(t, "testdata/"+tc.name+".hex")
			}
			got, err := Dissect(ctx, p, nil)
			if (err != nil) != tc.wantErr {
				t.Errorf("got error %v, want error %t", err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, got, dissecttest.EquateAddr()); diff != "" {
				t.Errorf("facts mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestNoMessageText checks that nothing of the MSG part reaches a fact.
func TestNoMessageText(t *testing.T) {
	const secret = "PATIENT-9434765919"
	ctx := &dissect.Context{Src: pix}
	for _, p := range []string{
		"<34>Oct 11 22:14:15 host su: " + secret,
		"<34>Oct 11 22:14:15 host su[1]: " + secret + ": " + secret,
		"<34>Oct 11 22:14:15 su: " + secret + " " + secret + ": x",
		"<34>Oct 11 22:14:15 " + secret + " 12 " + secret + ": x",
		"<34>1 - host app - - - " + secret,
		"<34>1 - host app - - [origin software=\"x\"] " + secret,
		"<34>" + secret,
		"<34>%" + secret + ": x",
	} {
		facts, _ := Dissect(ctx, []byte(p), nil)
		for _, fa := range facts {
			if strings.Contains(fa.Value, "9434765919") {
				t.Errorf("got fact %v from %q, want no message text", fa, p)
			}
		}
	}
}

// check runs Dissect and checks the invariants every fact must keep.
func check(tb testing.TB, ctx *dissect.Context, p []byte) {
	tb.Helper()
	facts, _ := Dissect(ctx, p, nil)
	for _, fa := range facts {
		if fa.Key == "" || fa.Value == "" || fa.Source != "syslog" || len(fa.Value) > 255 {
			tb.Fatalf("bad fact %v from %q", fa, p)
		}
	}
}

func TestTruncations(t *testing.T) {
	ctx := &dissect.Context{Src: pix}
	for _, tc := range append(append([]syslogCase{}, realCases...), rfcCases...) {
		p := []byte(tc.payload)
		if tc.payload == "" {
			p = dissecttest.Hex(t, "testdata/"+tc.name+".hex")
		}
		for n := range len(p) + 1 {
			check(t, ctx, p[:n])
		}
	}
}

func FuzzDissect(f *testing.F) {
	for _, tc := range realCases {
		f.Add(dissecttest.Hex(f, "testdata/"+tc.name+".hex"))
	}
	for _, tc := range rfcCases {
		f.Add([]byte(tc.payload))
	}
	ctx := &dissect.Context{Src: pix}
	f.Fuzz(func(t *testing.T, p []byte) {
		check(t, ctx, p)
	})
}

func BenchmarkDissect(b *testing.B) {
	p := []byte("<38>Jan  5 09:01:02 ward-pc sshd[1234]: Accepted publickey for root")
	ctx := &dissect.Context{Src: pix}
	out := make([]dissect.Fact, 0, 8)
	b.ReportAllocs()
	b.SetBytes(int64(len(p)))
	for b.Loop() {
		out, _ = Dissect(ctx, p, out[:0])
	}
}
