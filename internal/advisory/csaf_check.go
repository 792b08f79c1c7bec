package advisory

import (
	"fmt"
	"strconv"
)

// refChecker finds what the schema cannot: product and group IDs defined
// twice, and references to IDs the document does not define (the
// mandatory tests 6.1.1, 6.1.2, 6.1.4 and 6.1.5 of CSAF 2.0).
type refChecker struct {
	products map[string]string // product_id → JSON pointer of its definition
	groups   map[string]string // group_id → JSON pointer of its definition
	probs    []Problem
}

// checkRefs returns the reference problems of d, at most MaxProblems.
func checkRefs(d *csafDoc) []Problem {
	c := refChecker{products: map[string]string{}, groups: map[string]string{}}
	c.defineTree(&d.ProductTree)
	c.checkTree(&d.ProductTree)
	for i := range d.Vulnerabilities {
		c.checkVuln(&d.Vulnerabilities[i], "/vulnerabilities/"+strconv.Itoa(i))
	}
	return c.probs
}

func (c *refChecker) problem(path, format string, args ...any) {
	if len(c.probs) < MaxProblems {
		c.probs = append(c.probs, Problem{Path: path, Reason: fmt.Sprintf(format, args...)})
	}
}

// defineTree records every product and group ID the tree defines.
func (c *refChecker) defineTree(t *csafTree) {
	for i := range t.Branches {
		c.defineBranch(&t.Branches[i], "/product_tree/branches/"+strconv.Itoa(i))
	}
	for i, fn := range t.FullNames {
		path := "/product_tree/full_product_names/" + strconv.Itoa(i)
		c.define(c.products, "product_id", fn.ID, path)
	}
	for i, r := range t.Relationships {
		path := "/product_tree/relationships/" + strconv.Itoa(i) + "/full_product_name"
		c.define(c.products, "product_id", r.FullName.ID, path)
	}
	for i, g := range t.Groups {
		c.define(c.groups, "group_id", g.ID, "/product_tree/product_groups/"+strconv.Itoa(i))
	}
}

func (c *refChecker) defineBranch(b *csafBranch, path string) {
	if b.Product != nil {
		c.define(c.products, "product_id", b.Product.ID, path+"/product")
	}
	for i := range b.Branches {
		c.defineBranch(&b.Branches[i], path+"/branches/"+strconv.Itoa(i))
	}
}

// define records id, defined by the object at path, in defs.
func (c *refChecker) define(defs map[string]string, kind, id, path string) {
	key := "/" + kind
	if first, dup := defs[id]; dup {
		c.problem(path+key, "%s %q is already defined at %s", kind, id, first+key)
		return
	}
	defs[id] = path
}

// checkTree checks the references of relationships and product groups.
func (c *refChecker) checkTree(t *csafTree) {
	for i, r := range t.Relationships {
		path := "/product_tree/relationships/" + strconv.Itoa(i)
		c.product(r.Component, path+"/product_reference")
		c.product(r.Platform, path+"/relates_to_product_reference")
	}
	for i, g := range t.Groups {
		c.productList(g.Products, "/product_tree/product_groups/"+strconv.Itoa(i)+"/product_ids")
	}
}

// checkVuln checks every product and group reference of v.
func (c *refChecker) checkVuln(v *csafVuln, path string) {
	for _, l := range v.ProductStatus.lists() {
		c.productList(l.ids, path+"/product_status/"+string(l.status))
	}
	for i, s := range v.Scores {
		c.productList(s.Products, path+"/scores/"+strconv.Itoa(i)+"/products")
	}
	for i, r := range v.Remediations {
		c.productsAndGroups(r.Products, r.Groups, path+"/remediations/"+strconv.Itoa(i))
	}
	for i, t := range v.Threats {
		c.productsAndGroups(t.Products, t.Groups, path+"/threats/"+strconv.Itoa(i))
	}
	for i, f := range v.Flags {
		c.productsAndGroups(f.Products, f.Groups, path+"/flags/"+strconv.Itoa(i))
	}
}

func (c *refChecker) productsAndGroups(products, groups []string, path string) {
	c.productList(products, path+"/product_ids")
	for i, id := range groups {
		if _, ok := c.groups[id]; !ok {
			c.problem(path+"/group_ids/"+strconv.Itoa(i),
				"group_id %q is not defined in the product tree", id)
		}
	}
}

func (c *refChecker) productList(ids []string, path string) {
	for i, id := range ids {
		c.product(id, path+"/"+strconv.Itoa(i))
	}
}

func (c *refChecker) product(id, path string) {
	if _, ok := c.products[id]; !ok {
		c.problem(path, "product_id %q is not defined in the product tree", id)
	}
}
