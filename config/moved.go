package config

// This file reads moved blocks: moved { from = resource.a  to =
// module.app.resource.a } says that what the state records at from is now
// declared at to. Plan records it under the new address with no request
// to Azure, instead of a delete and a create.

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// Moved is a moved block: From and To are both resource addresses
// (resource.NAME, with a key for one instance and without for every
// instance of the block, each in any module) or both module addresses
// (module.NAME or module.NAME[KEY], moving everything inside).
type Moved struct {
	From, To  string
	DeclRange hcl.Range
}

var movedSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "from", Required: true},
		{Name: "to", Required: true},
	},
}

func (c *Config) decodeMoved(b *hcl.Block) hcl.Diagnostics {
	content, diags := b.Body.Content(movedSchema)
	if diags.HasErrors() {
		return diags
	}
	from, d := moveAddress(content.Attributes["from"])
	diags = append(diags, d...)
	to, d := moveAddress(content.Attributes["to"])
	diags = append(diags, d...)
	if diags.HasErrors() {
		return diags
	}
	bad := func(detail string) hcl.Diagnostics {
		return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid moved block", Detail: detail, Subject: b.DefRange.Ptr()}}
	}
	fromModule, toModule := AddressKind(from) == "", AddressKind(to) == ""
	_, fromKey := SplitAddress(from)
	_, toKey := SplitAddress(to)
	switch {
	case from == to:
		return bad(fmt.Sprintf("from and to are both %s: a move names two different addresses.", from))
	case fromModule != toModule:
		return bad(fmt.Sprintf("%s and %s are not the same kind of address: move a resource to a resource, or a module to a module.", from, to))
	case !fromModule && AddressKind(from) != AddressKind(to):
		return bad(fmt.Sprintf("%s and %s are not the same kind of block.", from, to))
	case !fromModule && (fromKey == "") != (toKey == ""):
		return bad(fmt.Sprintf("%s and %s must both name one instance (with a key) or both a whole block (without).", from, to))
	}
	if !toModule {
		if fromBlock, _ := SplitAddress(from); fromKey == "" && c.declared[fromBlock] != (hcl.Range{}) {
			return bad(fmt.Sprintf("from names %s, which the configuration still declares: remove its block, or this moved block.", from))
		}
	}
	// Where to points is checked once every moved block is read
	// (checkMoved): it may be the from of another, a chain.
	for _, m := range c.Moved {
		if m.From == from {
			return bad(fmt.Sprintf("%s is already moved by the moved block at %s.", from, shortRange(m.DeclRange)))
		}
		if m.To == to {
			return bad(fmt.Sprintf("%s is already where the moved block at %s moves %s: two records cannot move to one address (one of them would be lost). Keep one of the two blocks.", to, shortRange(m.DeclRange), m.From))
		}
	}
	c.Moved = append(c.Moved, &Moved{From: from, To: to, DeclRange: b.DefRange})
	return nil
}

// checkMoved checks the moved blocks together, once all are read. Moves
// chain, as Terraform's do: with a → b and b → c, what the state records
// at a ends at c, whatever the order of the blocks. So the end of each
// block's chain, not its own to, must be declared, and a chain that comes
// back to where it started is an error.
func (c *Config) checkMoved() hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, m := range c.Moved {
		bad := func(detail string) {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid moved block", Detail: detail, Subject: m.DeclRange.Ptr()})
		}
		end, path, cycle := followMoves(c.Moved, m)
		if cycle {
			bad(fmt.Sprintf("the moves from %s form a cycle (%s): nothing can end where it started. Remove one of these moved blocks.", m.From, strings.Join(path, " → ")))
			continue
		}
		via := ""
		if len(path) > 2 {
			via = fmt.Sprintf(" (where the moves %s end)", strings.Join(path, " → "))
		}
		if AddressKind(end) == "" {
			if c.modules[end+"."] == nil && c.calls[end] == nil {
				bad(fmt.Sprintf("to names %s%s, which the configuration does not declare.", end, via))
			}
			continue
		}
		if block, _ := SplitAddress(end); c.declared[block] == (hcl.Range{}) {
			bad(fmt.Sprintf("to names %s%s, which the configuration does not declare. A moved block points at where the resource is declared now.", end, via))
		}
	}
	return diags
}

// followMoves follows m's to through the other moved blocks to the end
// of its chain. path is every address on the way, m's from first; cycle
// reports a chain that comes back to an address on it.
func followMoves(moved []*Moved, m *Moved) (end string, path []string, cycle bool) {
	path = []string{m.From, m.To}
	seen := map[string]bool{m.From: true, m.To: true}
	cur, used := m.To, map[*Moved]bool{m: true}
	for {
		next, by := nextMove(moved, cur, used)
		if by == nil {
			return cur, path, false
		}
		used[by] = true
		path = append(path, next)
		if seen[next] {
			return next, path, true
		}
		seen[next] = true
		cur = next
	}
}

// nextMove is where one of the moved blocks not yet used moves a: a block
// that names a's resource (or its block) first, then one that names a
// module a lies in, each kind in the order declared. by is nil when none
// moves a.
func nextMove(moved []*Moved, a string, used map[*Moved]bool) (string, *Moved) {
	for _, modules := range []bool{false, true} {
		for _, m := range moved {
			if used[m] || (AddressKind(m.From) == "") != modules {
				continue
			}
			if n, ok := moveOne(m, a); ok {
				return n, m
			}
		}
	}
	return "", nil
}

// moveAddress reads an address written without quotes: any number of
// module.NAME or module.NAME[KEY], then resource.NAME, data.NAME or
// action.NAME, optionally with [KEY]; or modules alone.
func moveAddress(a *hcl.Attribute) (string, hcl.Diagnostics) {
	bad := hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Invalid " + a.Name,
		Detail:   a.Name + " is an address without quotes: resource.NAME, resource.NAME[\"key\"], module.NAME.resource.NAME, module.NAME[\"key\"], or module.NAME.",
		Subject:  a.Expr.Range().Ptr(),
	}}
	tr, diags := hcl.AbsTraversalForExpr(a.Expr)
	if diags.HasErrors() {
		return "", bad
	}
	var b strings.Builder
	name := func(i int) (string, bool) {
		switch s := tr[i].(type) {
		case hcl.TraverseRoot:
			return s.Name, true
		case hcl.TraverseAttr:
			return s.Name, true
		}
		return "", false
	}
	key := func(i int) (string, bool) {
		if i >= len(tr) {
			return "", false
		}
		ix, ok := tr[i].(hcl.TraverseIndex)
		if !ok {
			return "", false
		}
		return keySuffix(ix.Key)
	}
	i := 0
	for i < len(tr) {
		kind, ok := name(i)
		if !ok || i+1 >= len(tr) {
			return "", bad
		}
		n, ok := name(i + 1)
		if !ok || !validName(n) {
			return "", bad
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(kind + "." + n)
		i += 2
		if k, ok := key(i); ok {
			b.WriteString(k)
			i++
		}
		switch kind {
		case "module":
			continue
		case "resource", "data", "action":
			if i != len(tr) {
				return "", bad
			}
			return b.String(), nil
		default:
			return "", bad
		}
	}
	return b.String(), nil
}

// MoveAddresses returns, for each of the addresses recorded that a moved
// block moves, its new address (old → new): the end of the chain of moves
// from it (a → b, then b → c: a ends at c), each block used at most once.
// A move whose new address is recorded already is left out, and so are
// moves that would take two records to one address (a → b and b → c with
// both a and b recorded): the state keeps them where they are, and the
// plan shows what each means, where moving both would lose one.
func MoveAddresses(moved []*Moved, recorded []string) map[string]string {
	have := map[string]bool{}
	for _, a := range recorded {
		have[a] = true
	}
	out := map[string]string{}
	ends := map[string]int{}
	for _, a := range recorded {
		cur, used := a, map[*Moved]bool{}
		for {
			next, by := nextMove(moved, cur, used)
			if by == nil {
				break
			}
			used[by] = true
			cur = next
		}
		if cur != a && !have[cur] {
			out[a] = cur
			ends[cur]++
		}
	}
	for from, to := range out {
		if ends[to] > 1 {
			delete(out, from)
		}
	}
	return out
}

// moveOne is where m moves address a, if it does.
func moveOne(m *Moved, a string) (string, bool) {
	if AddressKind(m.From) == "" {
		// A module: everything under it, or under every instance of it
		// when from has no key and to none either.
		if rest, ok := strings.CutPrefix(a, m.From+"."); ok {
			return m.To + "." + rest, true
		}
		if _, key := SplitAddress(m.To); key == "" && !strings.HasSuffix(m.From, "]") {
			if rest, ok := strings.CutPrefix(a, m.From+"["); ok && !strings.HasSuffix(m.To, "]") {
				return m.To + "[" + rest, true
			}
		}
		return "", false
	}
	if a == m.From {
		return m.To, true
	}
	if block, key := SplitAddress(a); key != "" && block == m.From {
		return m.To + key, true
	}
	return "", false
}
