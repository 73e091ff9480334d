package azureblob

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/azapply/azapply/state/azuritetest"
	"github.com/azapply/azapply/state/internal/statetest"
)

// TestMain runs the second process of a test (statetest.Helper) on the
// container named by the last argument, and stops Azurite after the tests.
func TestMain(m *testing.M) {
	if mode := os.Getenv(statetest.HelperEnv); mode != "" {
		b, err := New(Options{ConnectionString: os.Getenv(ConnectionStringEnv), Container: os.Args[len(os.Args)-1], Key: "state.json", LeaseDuration: 15 * time.Second})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(statetest.RunHelper(b, mode))
	}
	code := m.Run()
	azuritetest.Stop()
	os.Exit(code)
}
