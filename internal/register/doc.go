// Package register reads a hospital's asset register (a CSV or XLSX export
// of its CMMS, or a spreadsheet kept by hand) and reconciles it against the
// devices seen on the network, to show how far the register can be trusted.
//
// # Mapping
//
// Registers name their columns in many ways: "Equipment No", "Asset Tag",
// "Serial No", "S/N", "MAC Address". A Mapping says which column holds each
// canonical Field (asset_id, serial, mac, ...), which row holds the headers
// and, for XLSX, which sheet. DetectMapping guesses it from the headers by a
// synonym table, comparing names without case, spaces or punctuation; Read
// also finds the header row when titles or blank rows stand above it. The
// Mapping is JSON so that the user can correct it once and read the next
// export the same way.
//
// # Reading
//
// Read tells CSV from XLSX by content. CSV may be UTF-8 (with or without a
// byte-order mark), UTF-16 with a mark (Excel's "Unicode Text") or
// Windows-1252, delimited by comma, semicolon, tab or bar, which Excel's
// "sep=" line names or the header line shows. Rows are numbered as a
// spreadsheet shows them, blank ones included. Each data row
// becomes an Entry holding the mapped cells as written and the identity
// normalised for matching: the MAC in lower-case colon form, the IP
// addresses, the host name in lower case without its domain and the serial
// in upper case. A bad cell (a MAC that is not one, a cell longer than
// MaxCellBytes) is a Problem of its row, and the rest of the row is kept.
// Rows that repeat the identity of an earlier row (the same asset id, MAC, or
// serial of the same maker) are marked as duplicates of it. Input is
// bounded: MaxCSVBytes, MaxLineBytes, MaxRows, and for XLSX MaxXLSXBytes and
// MaxUnzipBytes.
//
// # Matching
//
// Reconcile pairs entries with devices, each at most once, by these keys in
// order of trust:
//
//  1. MAC: the entry's MAC is the device's.
//  2. serial: the entry's serial is a "serial" attribute of exactly one
//     device, and that device reports no other serial. A device that
//     reports several serials (an HL7 gateway naming the pumps behind it)
//     identifies none of them.
//  3. hostname: the entry's host name is one of exactly one device's names
//     (domains removed on both sides).
//  4. ip: the entry's addresses belong to exactly one device, and no other
//     device had them.
//
// A key is tried for every entry, in row order, before the next key is tried
// for any, so a weaker key never takes a device that a stronger key of
// another entry identifies. Of a match the other keys and the maker, model
// and status are compared, and disagreements are listed as conflicts: the
// NIC was replaced, the address changed, the register says it was
// condemned. A serial is compared only with a device that reports exactly
// one.
//
// Entries left over fall in three groups: relayed, when a network device
// reports their serial but is not the entry itself (the pumps whose serials
// their gateway sends in HL7 messages); duplicates of an earlier row; and
// the rest, in the register only. Devices left over are on the network only.
//
// # Figures
//
// Figures counts each list, the matches by deciding key, and gives three
// ratios: Accuracy, the share of all the assets either side knows (matched,
// relayed, register only and network only) on which both sides agree;
// InRegister, the share of network devices that the register holds; and
// OnNetwork, the share of the register's assets (duplicates left out) that
// the network confirms.
package register
