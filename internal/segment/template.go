package segment

import (
	_ "embed"
	"slices"
	"sync"
)

// templateYAML is the hospital template, comments and all.
//
//go:embed template.yaml
var templateYAML []byte

var templatePolicy = sync.OnceValue(func() *Policy {
	p, err := Parse(templateYAML, "template.yaml")
	if err != nil {
		// The file is embedded and a test parses it: this is a build that
		// should not have passed its tests.
		panic("segment: embedded template: " + err.Error())
	}
	return p
})

// Template returns the ready policy for a hospital: zones for
// life-sustaining and other clinical devices, imaging, laboratory,
// building systems, clinical and corporate IT, guests and the internet,
// rules placing devices by the categories and criticality fingerprints
// give them, and conduits for the usual clinical workflows. Each call
// returns a fresh copy the caller may change.
func Template() *Policy { return templatePolicy().policyClone() }

// TemplateYAML returns the template as its file, with the comments that
// explain it, for a trust to start its own from. The result is a copy.
func TemplateYAML() []byte { return slices.Clone(templateYAML) }
