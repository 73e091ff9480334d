package main

import (
	"fmt"
	"io"

	"github.com/azapply/azapply/arm"
)

// printError prints err as "Error: ..." and, under it, one line saying what
// to do for each ARM error in it that azapply knows a remedy for (a lock, a
// policy, an unregistered provider, a property that cannot change...).
func printError(w io.Writer, err error) {
	fmt.Fprintf(w, "Error: %v\n", err)
	for _, h := range arm.Hints(err) {
		fmt.Fprintf(w, "  Hint: %s\n", h)
	}
}
