package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/netip"

	"github.com/wardhq/ward/internal/segment"
)

// Reach is how far a device's traffic went, from the flows Ward saw: to
// or from the internet, or from other subnets. Prioritising a
// vulnerability weighs it.
type Reach struct {
	Internet     bool // it exchanged traffic with a public address
	OtherSubnets bool // an address outside its subnet (/24, /64) opened a flow to it
}

// DeviceReach reads every flow once and returns the reach of each device
// that has any.
func (db *DB) DeviceReach(ctx context.Context) (map[string]Reach, error) {
	rows, err := db.sql.QueryContext(ctx, "SELECT src, dst, src_device, dst_device FROM flows "+
		"WHERE src_device IS NOT NULL OR dst_device IS NOT NULL")
	if err != nil {
		return nil, fmt.Errorf("store: device reach: %w", err)
	}
	defer rows.Close()
	out := map[string]Reach{}
	for rows.Next() {
		var src, dst string
		var srcDev, dstDev sql.NullString
		if err := rows.Scan(&src, &dst, &srcDev, &dstDev); err != nil {
			return nil, fmt.Errorf("store: device reach: %w", err)
		}
		s, serr := netip.ParseAddr(src)
		d, derr := netip.ParseAddr(dst)
		if serr != nil || derr != nil {
			continue
		}
		if srcDev.Valid && segment.Public(d) {
			r := out[srcDev.String]
			r.Internet = true
			out[srcDev.String] = r
		}
		if dstDev.Valid {
			r := out[dstDev.String]
			r.Internet = r.Internet || segment.Public(s)
			r.OtherSubnets = r.OtherSubnets || !sameSubnet(s, d)
			out[dstDev.String] = r
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: device reach: %w", err)
	}
	return out, nil
}

// sameSubnet reports whether two addresses share a /24 (IPv4) or /64
// (IPv6): the subnet a hospital VLAN most often is.
func sameSubnet(a, b netip.Addr) bool {
	a, b = a.Unmap(), b.Unmap()
	if a.Is4() != b.Is4() {
		return false
	}
	bits := 64
	if a.Is4() {
		bits = 24
	}
	pa, _ := a.Prefix(bits)
	pb, _ := b.Prefix(bits)
	return pa == pb
}
