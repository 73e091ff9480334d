package config

import (
	"fmt"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/azapply/azapply/limits"
)

// checkYAMLDepth refuses a YAML document that nests deeper than
// limits.MaxDepth before yamldecode decodes it. go-cty-yaml's scanner
// costs the square of the nesting depth (it walks every open flow level
// at each token: 18.7 s at 50,000 levels), so the document is first
// parsed into a node tree by yaml/v3, whose scanner is linear and stops
// at 10,000 levels, and the tree is walked with a stack of its own. An
// alias is a leaf here: what it expands to is bounded after decoding.
func checkYAMLDepth(src string) error {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		if strings.Contains(err.Error(), "exceeded max depth") {
			return tooDeepYAML(0)
		}
		return fmt.Errorf("the YAML document cannot be read: %w", err)
	}
	type item struct {
		n     *yaml.Node
		depth int
	}
	stack := []item{{&doc, 0}}
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		d := it.depth
		if it.n.Kind == yaml.MappingNode || it.n.Kind == yaml.SequenceNode {
			d++
			if d > limits.MaxDepth {
				return tooDeepYAML(it.n.Line)
			}
		}
		for _, c := range it.n.Content {
			stack = append(stack, item{c, d})
		}
	}
	return nil
}

func tooDeepYAML(line int) error {
	at := ""
	if line > 0 {
		at = fmt.Sprintf(" (at line %d)", line)
	}
	return fmt.Errorf("the YAML document nests deeper than %d levels%s; azapply reads no deeper: real ARM bodies nest about a dozen", limits.MaxDepth, at)
}
