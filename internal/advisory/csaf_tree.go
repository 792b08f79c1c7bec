package advisory

import "slices"

// branchPath is what the branches enclosing a product say of it. Each
// branch category sets one field; an inner branch overrides an outer one
// of the same category.
type branchPath struct {
	vendor, family, name string
	version, rng         string // at most one set
}

// with returns p as extended by a branch of the given category and name.
//
// product_version and product_version_range replace each other, so the
// innermost wins. A service_pack or patch_level that starts with a digit
// is a release of its own and replaces the version (Cisco's "12.2(55)SE"
// under the train "12.2SE"); one that starts otherwise is a suffix,
// appended to the version ("7" + "SP1" = "7 SP1") or, with none, the
// version itself. Under a range it is dropped. The other categories
// (architecture, language, specification, host_name, legacy) say nothing
// the matcher uses.
func (p branchPath) with(category, name string) branchPath {
	switch category {
	case "vendor":
		p.vendor = name
	case "product_family":
		p.family = name
	case "product_name":
		p.name = name
	case "product_version":
		p.version, p.rng = name, ""
	case "product_version_range":
		p.version, p.rng = "", name
	case "service_pack", "patch_level":
		switch {
		case p.rng != "":
		case name != "" && name[0] >= '0' && name[0] <= '9':
			p.version = name
		default:
			p.version = joinSpace(p.version, name)
		}
	}
	return p
}

func joinSpace(a, b string) string {
	if a == "" {
		return b
	}
	return a + " " + b
}

// treeProducts returns every product the tree defines, in document order:
// the products of branches (depth first), then full_product_names, then
// the products of relationships.
func treeProducts(t *csafTree) []Product {
	var ps []Product
	for i := range t.Branches {
		ps = branchProducts(ps, &t.Branches[i], branchPath{})
	}
	for i := range t.FullNames {
		ps = append(ps, newProduct(branchPath{}, &t.FullNames[i]))
	}
	return relationProducts(ps, t.Relationships)
}

// branchProducts appends the products of b and of the branches below it.
func branchProducts(ps []Product, b *csafBranch, outer branchPath) []Product {
	p := outer.with(b.Category, b.Name)
	if b.Product != nil {
		ps = append(ps, newProduct(p, b.Product))
	}
	for i := range b.Branches {
		ps = branchProducts(ps, &b.Branches[i], p)
	}
	return ps
}

// newProduct is the product fn under the branches p. A product that no
// product_name branch names is named by its full name.
func newProduct(p branchPath, fn *csafFullName) Product {
	pr := Product{
		ID:       fn.ID,
		Vendor:   p.vendor,
		Family:   p.family,
		Name:     p.name,
		Version:  p.version,
		Range:    p.rng,
		FullName: fn.Name,
	}
	if pr.Name == "" {
		pr.Name = fn.Name
	}
	applyHelper(&pr, fn.Helper)
	return pr
}

// applyHelper sets the identifiers h gives, leaving the others as they
// are. A CSAF 2.0 purl and CSAF 2.1 purls are merged.
func applyHelper(p *Product, h *csafHelper) {
	if h == nil {
		return
	}
	if h.CPE != "" {
		p.CPE = h.CPE
	}
	purls := h.PURLs
	if h.PURL != "" {
		purls = append([]string{h.PURL}, purls...)
	}
	if len(purls) > 0 {
		p.PURLs = uniqueStrings(purls)
	}
	if len(h.Models) > 0 {
		p.Models = slices.Clone(h.Models)
	}
	if len(h.SKUs) > 0 {
		p.SKUs = slices.Clone(h.SKUs)
	}
}

// relationProducts appends the products of rels to ps.
//
// A relationship's product is its component (product_reference)
// installed on or part of its platform (relates_to_product_reference).
// For the matcher, which compares a register's vendor, model and
// software version, it takes Vendor, Family, Name, Models and SKUs from
// the platform (the device a hospital registers) and Version, Range, CPE
// and PURLs from the component (the software whose version decides).
// Vendor, Family and Name fall back to the component's, and Version and
// Range to the platform's, where the platform (or component) has none;
// identifiers do not cross over, since the platform's CPE does not name
// the component and the component's model numbers are not the device's.
// The relationship's own product_identification_helper comes last and
// wins.
// A component or platform may itself be a relationship's product,
// defined before or after it.
func relationProducts(ps []Product, rels []csafRelation) []Product {
	if len(rels) == 0 {
		return ps
	}
	r := relResolver{
		byID:  make(map[string]int, len(ps)+len(rels)),
		rels:  rels,
		state: make([]uint8, len(rels)),
	}
	for i, p := range ps {
		r.byID[p.ID] = i
	}
	base := len(ps)
	for i := range rels {
		fn := &rels[i].FullName
		ps = append(ps, Product{ID: fn.ID, FullName: fn.Name, Name: fn.Name})
		if _, dup := r.byID[fn.ID]; !dup {
			r.byID[fn.ID] = base + i
		}
	}
	r.ps, r.base = ps, base
	for i := range rels {
		r.resolve(i)
	}
	return r.ps
}

// relResolver fills relationship products in dependency order, so that a
// chain of relationships is resolved whatever its order in the document.
type relResolver struct {
	ps    []Product
	base  int // index in ps of the first relationship product
	byID  map[string]int
	rels  []csafRelation
	state []uint8 // per relationship: 0 to do, 1 in progress, 2 done
}

// resolve fills the product of relationship i, after the relationship
// products it refers to. A cycle (refused by no schema, but meaningless)
// leaves the products in it with what was known when it was found.
func (r *relResolver) resolve(i int) {
	if r.state[i] != 0 {
		return
	}
	r.state[i] = 1
	rel := &r.rels[i]
	comp, plat := r.lookup(rel.Component), r.lookup(rel.Platform)
	p := relationProduct(rel, comp, plat)
	r.ps[r.base+i] = p
	r.state[i] = 2
}

// lookup returns the product with the given ID, resolved first when a
// relationship defines it; the zero Product when none does.
func (r *relResolver) lookup(id string) Product {
	j, ok := r.byID[id]
	if !ok {
		return Product{}
	}
	if j >= r.base {
		r.resolve(j - r.base)
	}
	return r.ps[j]
}

// relationProduct is the product of rel, given its component and platform.
func relationProduct(rel *csafRelation, comp, plat Product) Product {
	p := Product{
		ID:        rel.FullName.ID,
		FullName:  rel.FullName.Name,
		Component: rel.Component,
		Platform:  rel.Platform,
		Relation:  rel.Category,
		Vendor:    firstNonEmpty(plat.Vendor, comp.Vendor),
		Family:    firstNonEmpty(plat.Family, comp.Family),
		Name:      firstNonEmpty(plat.Name, comp.Name, rel.FullName.Name),
		CPE:       comp.CPE,
		PURLs:     slices.Clone(comp.PURLs),
		Models:    slices.Clone(plat.Models),
		SKUs:      slices.Clone(plat.SKUs),
	}
	p.Version, p.Range = comp.Version, comp.Range
	if p.Version == "" && p.Range == "" {
		p.Version, p.Range = plat.Version, plat.Range
	}
	applyHelper(&p, rel.FullName.Helper)
	return p
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// uniqueStrings returns ss without repeats, in first-seen order.
func uniqueStrings(ss []string) []string {
	seen := make(map[string]bool, len(ss))
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// treeGroups returns each product group's member IDs by group ID.
func treeGroups(t *csafTree) map[string][]string {
	if len(t.Groups) == 0 {
		return nil
	}
	g := make(map[string][]string, len(t.Groups))
	for _, grp := range t.Groups {
		g[grp.ID] = grp.Products
	}
	return g
}
