package main

import "testing"

func TestForceUnlockOptions(t *testing.T) {
	testOptions(t, NewCmdForceUnlock, []optionsCase[forceUnlockOptions]{
		{name: "an ID", args: []string{"6f1c2a9e"}, want: func(f *Factory) forceUnlockOptions {
			return forceUnlockOptions{factory: f, common: defaultCommon("force-unlock", true), id: "6f1c2a9e"}
		}},
		{name: "forced", args: []string{"--force", "--chdir", "prod", "6f1c2a9e"}, want: func(f *Factory) forceUnlockOptions {
			c := defaultCommon("force-unlock", true)
			c.chdir = "prod"
			return forceUnlockOptions{factory: f, common: c, force: true, id: "6f1c2a9e"}
		}},
		{name: "no ID", wantErr: "force-unlock takes the lock ID"},
		{name: "two IDs", args: []string{"a", "b"}, wantErr: "force-unlock takes the lock ID"},
	})
}
