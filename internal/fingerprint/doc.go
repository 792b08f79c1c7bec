// Package fingerprint names devices: it looks MAC addresses up in the IEEE
// registry and runs a rule pack over a device's facts to guess its vendor,
// model, category, operating system and software, each with a confidence
// and the facts that led to it.
//
// The registry (oui.dat, MA-L, MA-M, MA-S and IAB blocks) and the rule pack
// (rules.yaml) are embedded and decoded at first use. Regenerate oui.dat
// from the registry's CSV files with "go generate ./internal/fingerprint".
//
// Values are compared ignoring ASCII case; a rule's regular expressions are
// compiled once, with (?i). Rules are indexed by the key of their first
// condition, so Identify only tries the rules that can fire. It is safe for
// concurrent use.
package fingerprint
