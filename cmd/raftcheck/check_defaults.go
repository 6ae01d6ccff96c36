package main

import "github.com/spf13/pflag"

// postParse holds, per command, defaults that depend on other flags; parseArgs
// applies them once the command's flags are parsed.
var postParse = map[string]func(fs *pflag.FlagSet) error{
	"check": checkDefaults,
}

// checkDefaults: etcd logs (porcupine's Jepsen etcd register logs) always
// hold the register model, so `--format etcd-log` implies `--model register`
// unless --model says otherwise. Without it an empty log, which no operation
// tells the model of, would ask for --model.
func checkDefaults(fs *pflag.FlagSet) error {
	format, model := fs.Lookup("format"), fs.Lookup("model")
	if format == nil || model == nil || model.Changed || format.Value.String() != "etcd-log" {
		return nil
	}
	return model.Value.Set("register")
}
