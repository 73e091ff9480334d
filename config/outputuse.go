package config

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// refUse says what the expressions of a configuration read of one block's
// instances. Evaluate builds the value an instance stands for
// (resource.NAME: its id, body and output) only for blocks that something
// refers to, and converts the live output into that value only for blocks
// whose .output something reads: in a stack of 10,000 resources most
// blocks are never referred to, and the outputs of the rest seldom are,
// while converting every output costs as much memory as the state itself.
type refUse struct {
	value  bool // an expression refers to the block
	output bool // and may read its instances' output
}

// noteUse records what the reference tr (resource.NAME..., data.NAME...,
// action.NAME...) reads of the block to.
func (c *Config) noteUse(to string, tr hcl.Traversal) {
	if c.uses == nil {
		c.uses = map[string]refUse{}
	}
	u := c.uses[to]
	u.value = true
	if attr := readAttr(tr); attr != "id" && attr != "body" {
		// output, or a reference that may reach it (the whole instance or
		// block, or a name that is an error to be reported as it is).
		u.output = true
	}
	c.uses[to] = u
}

// readAttr returns the attribute of an instance that tr reads: id, body or
// output in ROOT.NAME.ATTR or ROOT.NAME[KEY].ATTR; "" for anything else.
func readAttr(tr hcl.Traversal) string {
	i := 2
	if i < len(tr) {
		if ix, ok := tr[i].(hcl.TraverseIndex); ok {
			if ix.Key.Type() == cty.String && ix.Key.IsKnown() && !ix.Key.IsNull() {
				switch ix.Key.AsString() {
				case "id", "body", "output":
					// NAME["output"] reads an attribute of a block with one
					// instance.
					return ""
				}
			}
			i++
		}
	}
	if i < len(tr) {
		if a, ok := tr[i].(hcl.TraverseAttr); ok {
			return a.Name
		}
	}
	return ""
}

// use says what is read of the block at addr; everything when the
// configuration was not loaded by Load.
func (c *Config) use(addr string) refUse {
	if c.uses == nil {
		return refUse{value: true, output: true}
	}
	return c.uses[addr]
}
