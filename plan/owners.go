package plan

import (
	"fmt"
	"strings"

	"github.com/azapply/azapply/arm/armid"
	"github.com/azapply/azapply/body"
	"github.com/azapply/azapply/config"
)

// checkChildOwners refuses a child resource declared twice: as a resource
// of its own and inline in its parent's body (a subnet in the network's
// properties.subnets). Each apply of the one would undo the other, so the
// configuration must choose one owner. It reads the declared bodies only:
// nothing is sent.
func checkChildOwners(insts []*config.Instance) error {
	byID := make(map[string]*config.Instance, len(insts))
	for _, in := range insts {
		if in.ID != "" {
			byID[armid.Key(in.ID)] = in
		}
	}
	var problems []string
	for _, in := range insts {
		id, err := armid.Parse(in.ID)
		if err != nil || id.IsRoot() {
			continue
		}
		parent := id.Parent()
		if parent.IsRoot() {
			continue
		}
		p, ok := byID[armid.Key(parent.String())]
		if !ok || p == in {
			continue
		}
		typ := id.ResourceType()
		seg := typ[strings.LastIndex(typ, "/")+1:]
		decl, _ := config.ToJSONValue(p.Body).(map[string]any)
		props, _ := decl["properties"].(map[string]any)
		for k, v := range props {
			if !strings.EqualFold(k, seg) {
				continue
			}
			arr, _ := v.([]any)
			for _, e := range arr {
				if strings.EqualFold(body.KeyOf(e, "name"), id.Name()) {
					problems = append(problems, fmt.Sprintf(
						"%s (%s) declares %s, which %s (%s) also declares inline in properties.%s: a child has one owner. "+
							"Remove it from %s's properties.%s (an update of %s keeps the live %s, azapply reads them before it writes), or remove %s",
						in.Address, in.DeclRange, in.ID, p.Address, p.DeclRange, k, p.Address, k, p.Address, k, in.Address))
				}
			}
		}
	}
	if len(problems) == 0 {
		return nil
	}
	return fmt.Errorf("%s", strings.Join(problems, "\n"))
}
