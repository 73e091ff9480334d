package config

import (
	"errors"
	"strings"

	"github.com/azapply/azapply/secret"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// sensitiveMessage is the validation message shown in place of one that
// holds a sensitive value.
const sensitiveMessage = "The error message includes a sensitive value, so it is not shown."

// shortSecretMessage replaces a function's error that may quote a
// sensitive argument too short to be redacted from it.
const shortSecretMessage = "the function's error is not shown, since it may quote a sensitive argument (one shorter than 4 characters cannot be taken out of the text)"

// hideSecretsInErrors wraps every function of fns (but try and can, which
// take expressions rather than values) so that an error of a call given a
// sensitive argument does not quote it: file(var.pw) and tonumber(var.pw)
// say what went wrong with "(sensitive value)" where the function's own
// message would print the argument.
func hideSecretsInErrors(fns map[string]function.Function) {
	for name, fn := range fns {
		if name == "try" || name == "can" {
			continue
		}
		fns[name] = hidingFunc(fn)
	}
}

// hidingFunc is fn with its errors cleaned of its sensitive arguments. Its
// parameters accept anything (unknown, null, marked), so that fn
// itself checks them, and its errors pass through here; they keep their
// types, by which HCL converts the arguments.
func hidingFunc(fn function.Function) function.Function {
	open := func(p function.Parameter) function.Parameter {
		p.AllowNull, p.AllowUnknown, p.AllowDynamicType, p.AllowMarked = true, true, true, true
		return p
	}
	spec := &function.Spec{Description: fn.Description()}
	for _, p := range fn.Params() {
		spec.Params = append(spec.Params, open(p))
	}
	if vp := fn.VarParam(); vp != nil {
		p := open(*vp)
		spec.VarParam = &p
	}
	// The type is fn's, which fn.Call works out (and checks the arguments
	// against) again below: working it out here too made every call type
	// check its arguments twice. Any type conforms to DynamicPseudoType,
	// and an unknown result still has fn's type, since fn.Call makes it.
	spec.Type = function.StaticReturnType(cty.DynamicPseudoType)
	spec.Impl = func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		v, err := fn.Call(args)
		return v, hideArgs(err, args)
	}
	return function.New(spec)
}

// hideArgs returns err with the clear text of every sensitive value among
// args replaced by secret.Hidden, keeping the argument an ArgError points
// at.
func hideArgs(err error, args []cty.Value) error {
	if err == nil {
		return nil
	}
	var known secret.Values
	var short []string
	for _, a := range args {
		if a.ContainsMarked() {
			for _, s := range SensitiveStrings(a) {
				if s != "" && len(s) < secret.MinLength {
					short = append(short, s)
				}
				known.Add(s)
			}
		}
	}
	if known.Len() == 0 && len(short) == 0 {
		return err
	}
	msg := known.Redact(err.Error())
	// A secret too short to be searched for in text (secret.MinLength:
	// redacting every "ab" would leave no message readable) cannot be
	// taken out of the message alone: a message that may quote it is not
	// shown at all. The diagnostic still points at the argument.
	for _, s := range short {
		if strings.Contains(msg, s) {
			msg = shortSecretMessage
			break
		}
	}
	if msg == err.Error() {
		return err
	}
	var ae function.ArgError
	if errors.As(err, &ae) {
		return function.NewArgError(ae.Index, errors.New(msg))
	}
	return errors.New(msg)
}

// nonsensitiveFunc returns its argument without the sensitive mark, for a
// value that is no secret although it was computed from one (an ID built
// from a sensitive variable that only names a resource).
var nonsensitiveFunc = function.New(&function.Spec{
	Description: "Returns its argument, no longer sensitive.",
	Params: []function.Parameter{{
		Name: "value", Type: cty.DynamicPseudoType,
		AllowNull: true, AllowUnknown: true, AllowDynamicType: true, AllowMarked: true,
	}},
	Type: func(args []cty.Value) (cty.Type, error) { return args[0].Type(), nil },
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		v, _ := args[0].UnmarkDeep()
		return v, nil
	},
})
