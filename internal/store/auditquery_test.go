package store

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestListAuditFiltered(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := t.Context()
		base := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		events := []struct{ actor, action string }{
			{"alice", "user.login"}, {"alice", "device.set_attribute"}, {"bob", "device.tag"},
			{"system", "ingest.file"}, {"alice", "device.tag"}, {"bob_", "device.set_attribute"},
			{"bob", "user.login"},
		}
		prev := []byte{}
		for i, e := range events {
			ev := AuditEvent{Seq: int64(i + 1), Time: base.Add(time.Duration(i) * time.Hour),
				Actor: e.actor, Action: e.action, PrevMAC: prev, MAC: fmt.Appendf(nil, "mac-%d", i)}
			if err := db.AppendAudit(ctx, ev); err != nil {
				t.Fatal(err)
			}
			prev = ev.MAC
		}
		cases := []struct {
			name string
			q    AuditQuery
			want []int64 // sequence numbers, newest first
		}{
			{"all", AuditQuery{}, []int64{7, 6, 5, 4, 3, 2, 1}},
			{"actor", AuditQuery{Actor: "bob"}, []int64{7, 3}},
			{"action", AuditQuery{Action: "device.tag"}, []int64{5, 3}},
			{"action prefix", AuditQuery{Action: "device."}, []int64{6, 5, 3, 2}},
			{"a prefix is no wildcard", AuditQuery{Action: "devic_."}, []int64{}},
			{"since and until", AuditQuery{Since: base.Add(2 * time.Hour), Until: base.Add(5 * time.Hour)},
				[]int64{5, 4, 3}},
			{"a page", AuditQuery{Limit: 2}, []int64{7, 6}},
			{"the next page", AuditQuery{Limit: 2, BeforeSeq: 6}, []int64{5, 4}},
			{"all of it", AuditQuery{Actor: "alice", Action: "device.", Since: base.Add(time.Hour),
				BeforeSeq: 5}, []int64{2}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				got, err := db.ListAuditFiltered(ctx, c.q)
				if err != nil {
					t.Fatal(err)
				}
				seqs := []int64{}
				for _, e := range got {
					seqs = append(seqs, e.Seq)
				}
				if diff := cmp.Diff(c.want, seqs); diff != "" {
					t.Errorf("events (-want +got):\n%s", diff)
				}
			})
		}
	})
}
