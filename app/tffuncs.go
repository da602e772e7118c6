package app

import (
	"bytes"
	"compress/gzip"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/go-cty-funcs/cidr"
	"github.com/hashicorp/go-cty-funcs/collection"
	"github.com/hashicorp/go-cty-funcs/crypto"
	ctyencoding "github.com/hashicorp/go-cty-funcs/encoding"
	"github.com/hashicorp/go-cty-funcs/filesystem"
	"github.com/hashicorp/go-cty-funcs/uuid"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/tryfunc"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	ctyyaml "github.com/zclconf/go-cty-yaml"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/ianaindex"
)

// tfFunctions is Terraform's table of built-in functions. Almost every
// entry is a library's: go-cty's stdlib (the functions Terraform itself
// builds on), HashiCorp's go-cty-funcs (hashes, encodings, CIDR, UUID,
// files), go-cty-yaml and HCL's try/can. The few written here are the
// ones Terraform keeps in its own (unimportable) packages; each is a thin
// composition of library or standard-library calls.
//
// base is the root module's folder: as in Terraform, file() and friends
// read relative paths from there (the working directory of `terraform
// plan`), which is why modules write "${path.module}/x.sql".
//
// Impure functions (timestamp, uuid, bcrypt) have no value before apply:
// they return an unknown value marked with their name, so that an
// application whose SQL or schema depends on one is refused naming it.
func tfFunctions(base string) map[string]function.Function {
	resolve := func(p string) string {
		if filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(base, p)
	}
	funcs := map[string]function.Function{
		// Numeric.
		"abs": stdlib.AbsoluteFunc, "ceil": stdlib.CeilFunc, "floor": stdlib.FloorFunc, "log": stdlib.LogFunc,
		"max": stdlib.MaxFunc, "min": stdlib.MinFunc, "parseint": stdlib.ParseIntFunc, "pow": stdlib.PowFunc,
		"signum": stdlib.SignumFunc, "sum": tfSum,
		// String.
		"chomp": stdlib.ChompFunc, "endswith": tfStringTest(strings.HasSuffix), "format": stdlib.FormatFunc,
		"formatlist": stdlib.FormatListFunc, "indent": stdlib.IndentFunc, "join": stdlib.JoinFunc,
		"lower": stdlib.LowerFunc, "regex": stdlib.RegexFunc, "regexall": stdlib.RegexAllFunc,
		"replace": tfReplace, "split": stdlib.SplitFunc, "startswith": tfStringTest(strings.HasPrefix),
		"strcontains": tfStringTest(strings.Contains), "strrev": stdlib.ReverseFunc, "substr": stdlib.SubstrFunc,
		"title": stdlib.TitleFunc, "trim": stdlib.TrimFunc, "trimprefix": stdlib.TrimPrefixFunc,
		"trimspace": stdlib.TrimSpaceFunc, "trimsuffix": stdlib.TrimSuffixFunc, "upper": stdlib.UpperFunc,
		// Collection.
		"alltrue": tfAllAny(true), "anytrue": tfAllAny(false), "chunklist": stdlib.ChunklistFunc,
		"coalesce": collection.CoalesceFunc, "coalescelist": stdlib.CoalesceListFunc, "compact": stdlib.CompactFunc,
		"concat": stdlib.ConcatFunc, "contains": stdlib.ContainsFunc, "distinct": stdlib.DistinctFunc,
		"element": stdlib.ElementFunc, "flatten": stdlib.FlattenFunc, "index": stdlib.IndexFunc,
		"keys": stdlib.KeysFunc, "length": tfLength, "lookup": tfLookup, "matchkeys": tfMatchKeys,
		"merge": stdlib.MergeFunc, "one": tfOne, "range": stdlib.RangeFunc, "reverse": stdlib.ReverseListFunc,
		"setintersection": stdlib.SetIntersectionFunc, "setproduct": stdlib.SetProductFunc,
		"setsubtract": stdlib.SetSubtractFunc, "setunion": stdlib.SetUnionFunc, "slice": stdlib.SliceFunc,
		"sort": stdlib.SortFunc, "transpose": tfTranspose, "values": stdlib.ValuesFunc, "zipmap": stdlib.ZipmapFunc,
		// Encoding.
		"base64decode": ctyencoding.Base64DecodeFunc, "base64encode": ctyencoding.Base64EncodeFunc,
		"base64gzip": tfBase64Gzip, "csvdecode": stdlib.CSVDecodeFunc, "jsondecode": stdlib.JSONDecodeFunc,
		"jsonencode": stdlib.JSONEncodeFunc, "textdecodebase64": tfTextDecodeBase64,
		"textencodebase64": tfTextEncodeBase64, "urlencode": ctyencoding.URLEncodeFunc,
		"yamldecode": ctyyaml.YAMLDecodeFunc, "yamlencode": ctyyaml.YAMLEncodeFunc,
		// Filesystem.
		"abspath": filesystem.AbsPathFunc, "basename": filesystem.BasenameFunc, "dirname": filesystem.DirnameFunc,
		"file": tfFile(filesystem.MakeFileFunc(base, false), resolve, base), "filebase64": filesystem.MakeFileFunc(base, true),
		"fileexists": filesystem.MakeFileExistsFunc(base), "fileset": filesystem.MakeFileSetFunc(base),
		"pathexpand": filesystem.PathExpandFunc,
		// Date and time.
		"formatdate": stdlib.FormatDateFunc, "timeadd": stdlib.TimeAddFunc, "timecmp": tfTimeCmp,
		"timestamp": tfUnknownFunc("timestamp()"), "plantimestamp": tfPlanTimestamp,
		// Hash and crypto.
		"base64sha256": tfHash(sha256.New, base64.StdEncoding.EncodeToString, nil),
		"base64sha512": tfHash(sha512.New, base64.StdEncoding.EncodeToString, nil),
		"bcrypt":       tfUnknownFunc("bcrypt()"), "md5": crypto.Md5Func, "rsadecrypt": crypto.RsaDecryptFunc,
		"sha1": crypto.Sha1Func, "sha256": crypto.Sha256Func, "sha512": crypto.Sha512Func,
		"filebase64sha256": tfHash(sha256.New, base64.StdEncoding.EncodeToString, resolve),
		"filebase64sha512": tfHash(sha512.New, base64.StdEncoding.EncodeToString, resolve),
		"filemd5":          tfHash(md5.New, hex.EncodeToString, resolve),
		"filesha1":         tfHash(sha1.New, hex.EncodeToString, resolve),
		"filesha256":       tfHash(sha256.New, hex.EncodeToString, resolve),
		"filesha512":       tfHash(sha512.New, hex.EncodeToString, resolve),
		"uuid":             tfUnknownFunc("uuid()"), "uuidv5": uuid.V5Func,
		// IP network.
		"cidrhost": cidr.HostFunc, "cidrnetmask": cidr.NetmaskFunc, "cidrsubnet": cidr.SubnetFunc,
		"cidrsubnets": cidr.SubnetsFunc,
		// Type conversion.
		"can": tryfunc.CanFunc, "try": tryfunc.TryFunc, "tobool": stdlib.MakeToFunc(cty.Bool),
		"tolist": stdlib.MakeToFunc(cty.List(cty.DynamicPseudoType)), "tomap": stdlib.MakeToFunc(cty.Map(cty.DynamicPseudoType)),
		"tonumber": stdlib.MakeToFunc(cty.Number), "toset": stdlib.MakeToFunc(cty.Set(cty.DynamicPseudoType)),
		"tostring": stdlib.MakeToFunc(cty.String),
		// Sensitivity and ephemerality matter to Terraform's plan output
		// only; the values pass through.
		"sensitive": tfIdentity, "nonsensitive": tfIdentity, "ephemeralasnull": tfIdentity, "issensitive": tfIsSensitive,
	}
	// templatefile and templatestring render with the same functions
	// (templatefile may not call itself, as in Terraform).
	render := func(src []byte, name string, vars cty.Value, self string) (cty.Value, error) {
		expr, diags := hclsyntax.ParseTemplate(src, name, hcl.Pos{Line: 1, Column: 1})
		if diags.HasErrors() {
			return cty.NilVal, tfDiagError(diags)
		}
		ctx := &hcl.EvalContext{Variables: map[string]cty.Value{}, Functions: map[string]function.Function{}}
		for k, f := range funcs {
			if k != self {
				ctx.Functions[k] = f
			}
		}
		if !vars.IsNull() && vars.CanIterateElements() {
			for it := vars.ElementIterator(); it.Next(); {
				k, v := it.Element()
				ctx.Variables[k.AsString()] = v
			}
		}
		v, diags := expr.Value(ctx)
		if diags.HasErrors() {
			return cty.NilVal, tfDiagError(diags)
		}
		return v, nil
	}
	funcs["templatefile"] = function.New(&function.Spec{
		Params: []function.Parameter{{Name: "path", Type: cty.String}, {Name: "vars", Type: cty.DynamicPseudoType}},
		Type:   function.StaticReturnType(cty.DynamicPseudoType),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			p := resolve(args[0].AsString())
			b, err := os.ReadFile(p)
			if err != nil {
				return cty.NilVal, tfFileError(err, args[0].AsString(), base)
			}
			return render(b, p, args[1], "templatefile")
		},
	})
	funcs["templatestring"] = function.New(&function.Spec{
		Params: []function.Parameter{{Name: "template", Type: cty.String}, {Name: "vars", Type: cty.DynamicPseudoType}},
		Type:   function.StaticReturnType(cty.DynamicPseudoType),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			return render([]byte(args[0].AsString()), "templatestring", args[1], "")
		},
	})
	return funcs
}

// tfFileError explains a file that is not there: relative paths are read
// from the root module's folder, as Terraform reads them.
func tfFileError(err error, p, base string) error {
	if os.IsNotExist(err) && !filepath.IsAbs(p) {
		return fmt.Errorf("no file %s in %s (relative paths are read from the root module's folder, as in Terraform; a module reads its own files with \"${path.module}/%s\")", p, base, p)
	}
	return err
}

// tfFile is file() with a hint when the file is not there.
func tfFile(f function.Function, resolve func(string) string, base string) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "path", Type: cty.String}},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			v, err := f.Call(args)
			if err != nil {
				if _, serr := os.Stat(resolve(args[0].AsString())); serr != nil {
					return cty.NilVal, tfFileError(serr, args[0].AsString(), base)
				}
			}
			return v, err
		},
	})
}

// tfUnknownMark marks a value that Terraform knows only after apply, with
// where it comes from: a resource's address or an impure function.
type tfUnknownMark string

func tfUnknown(what string) cty.Value { return cty.DynamicVal.Mark(tfUnknownMark(what)) }

func tfUnknownFunc(name string) function.Function {
	return function.New(&function.Spec{
		VarParam: &function.Parameter{Name: "args", Type: cty.DynamicPseudoType, AllowUnknown: true, AllowNull: true, AllowDynamicType: true},
		Type:     function.StaticReturnType(cty.DynamicPseudoType),
		Impl: func([]cty.Value, cty.Type) (cty.Value, error) {
			return tfUnknown(name), nil
		},
	})
}

var tfPlanTimestamp = function.New(&function.Spec{
	Type: function.StaticReturnType(cty.String),
	Impl: func([]cty.Value, cty.Type) (cty.Value, error) {
		return cty.StringVal(time.Now().UTC().Format(time.RFC3339)), nil
	},
})

var tfIdentity = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "value", Type: cty.DynamicPseudoType, AllowUnknown: true, AllowNull: true, AllowDynamicType: true, AllowMarked: true}},
	Type:   func(args []cty.Value) (cty.Type, error) { return args[0].Type(), nil },
	Impl:   func(args []cty.Value, _ cty.Type) (cty.Value, error) { return args[0], nil },
})

var tfIsSensitive = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "value", Type: cty.DynamicPseudoType, AllowUnknown: true, AllowNull: true, AllowDynamicType: true}},
	Type:   function.StaticReturnType(cty.Bool),
	Impl:   func([]cty.Value, cty.Type) (cty.Value, error) { return cty.False, nil },
})

// tfLength counts a string's characters as well as a collection's
// elements, as Terraform's length does.
var tfLength = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "value", Type: cty.DynamicPseudoType, AllowDynamicType: true, AllowUnknown: true}},
	Type:   function.StaticReturnType(cty.Number),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		if args[0].Type() == cty.String {
			return stdlib.Strlen(args[0])
		}
		return stdlib.Length(args[0])
	},
})

// tfLookup is stdlib's lookup with Terraform's optional default.
var tfLookup = function.New(&function.Spec{
	Params:   []function.Parameter{{Name: "map", Type: cty.DynamicPseudoType}, {Name: "key", Type: cty.String}},
	VarParam: &function.Parameter{Name: "default", Type: cty.DynamicPseudoType, AllowNull: true},
	Type: func(args []cty.Value) (cty.Type, error) {
		if len(args) > 3 {
			return cty.NilType, fmt.Errorf("lookup takes a map, a key and an optional default")
		}
		if len(args) == 3 {
			return stdlib.LookupFunc.ReturnTypeForValues(args)
		}
		return cty.DynamicPseudoType, nil
	},
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		if len(args) == 3 {
			return stdlib.Lookup(args[0], args[1], args[2])
		}
		m, k := args[0], args[1]
		if !m.Type().IsMapType() && !m.Type().IsObjectType() {
			return cty.NilVal, fmt.Errorf("lookup needs a map or an object")
		}
		if m.Type().IsObjectType() && m.Type().HasAttribute(k.AsString()) {
			return m.GetAttr(k.AsString()), nil
		}
		if m.Type().IsMapType() && m.HasIndex(k).True() {
			return m.Index(k), nil
		}
		return cty.NilVal, fmt.Errorf("lookup failed to find key %q", k.AsString())
	},
})

// tfReplace is stdlib's replace, or a regular-expression replace when the
// pattern is written /like this/ (Terraform's rule).
var tfReplace = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "str", Type: cty.String}, {Name: "substr", Type: cty.String}, {Name: "replace", Type: cty.String}},
	Type:   function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		pat := args[1].AsString()
		if len(pat) > 1 && pat[0] == '/' && pat[len(pat)-1] == '/' {
			re, err := regexp.Compile(pat[1 : len(pat)-1])
			if err != nil {
				return cty.NilVal, err
			}
			return cty.StringVal(re.ReplaceAllString(args[0].AsString(), args[2].AsString())), nil
		}
		return stdlib.Replace(args[0], args[1], args[2])
	},
})

func tfStringTest(test func(s, x string) bool) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "str", Type: cty.String}, {Name: "x", Type: cty.String}},
		Type:   function.StaticReturnType(cty.Bool),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			return cty.BoolVal(test(args[0].AsString(), args[1].AsString())), nil
		},
	})
}

// tfAllAny is alltrue (all) or anytrue (!all) over a list of bools.
func tfAllAny(all bool) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "list", Type: cty.List(cty.Bool)}},
		Type:   function.StaticReturnType(cty.Bool),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			for it := args[0].ElementIterator(); it.Next(); {
				_, v := it.Element()
				if !v.IsKnown() {
					return cty.UnknownVal(cty.Bool), nil
				}
				if !v.IsNull() && v.True() != all {
					return cty.BoolVal(!all), nil
				}
				if v.IsNull() && all {
					return cty.False, nil
				}
			}
			return cty.BoolVal(all), nil
		},
	})
}

var tfSum = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "list", Type: cty.DynamicPseudoType}},
	Type:   function.StaticReturnType(cty.Number),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		if !args[0].CanIterateElements() || args[0].LengthInt() == 0 {
			return cty.NilVal, fmt.Errorf("sum needs a non-empty list or set of numbers")
		}
		total := cty.Zero
		for it := args[0].ElementIterator(); it.Next(); {
			_, v := it.Element()
			n, err := stdlib.MakeToFunc(cty.Number).Call([]cty.Value{v})
			if err != nil {
				return cty.NilVal, err
			}
			if total, err = stdlib.Add(total, n); err != nil {
				return cty.NilVal, err
			}
		}
		return total, nil
	},
})

var tfOne = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "list", Type: cty.DynamicPseudoType}},
	Type:   function.StaticReturnType(cty.DynamicPseudoType),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		l := args[0]
		if !l.CanIterateElements() || l.Type().IsMapType() || l.Type().IsObjectType() {
			return cty.NilVal, fmt.Errorf("one needs a list, set or tuple")
		}
		switch l.LengthInt() {
		case 0:
			return cty.NullVal(cty.DynamicPseudoType), nil
		case 1:
			it := l.ElementIterator()
			it.Next()
			_, v := it.Element()
			return v, nil
		}
		return cty.NilVal, fmt.Errorf("one needs at most one element, got %d", l.LengthInt())
	},
})

// tfMatchKeys keeps the values whose key (same position) is in search.
var tfMatchKeys = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "values", Type: cty.List(cty.DynamicPseudoType)},
		{Name: "keys", Type: cty.List(cty.DynamicPseudoType)}, {Name: "searchset", Type: cty.List(cty.DynamicPseudoType)}},
	Type: func(args []cty.Value) (cty.Type, error) { return args[0].Type(), nil },
	Impl: func(args []cty.Value, retType cty.Type) (cty.Value, error) {
		vals, ks, search := args[0].AsValueSlice(), args[1].AsValueSlice(), args[2].AsValueSlice()
		if len(vals) != len(ks) {
			return cty.NilVal, fmt.Errorf("matchkeys: values and keys must have the same length")
		}
		var out []cty.Value
		for i, k := range ks {
			for _, s := range search {
				if eq, err := stdlib.Equal(k, s); err == nil && eq.True() {
					out = append(out, vals[i])
					break
				}
			}
		}
		if len(out) == 0 {
			return cty.ListValEmpty(retType.ElementType()), nil
		}
		return cty.ListVal(out), nil
	},
})

// tfTranspose swaps the keys and values of a map of lists of strings.
var tfTranspose = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "values", Type: cty.Map(cty.List(cty.String))}},
	Type:   function.StaticReturnType(cty.Map(cty.List(cty.String))),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		out := map[string][]cty.Value{}
		for it := args[0].ElementIterator(); it.Next(); {
			k, l := it.Element()
			for lt := l.ElementIterator(); lt.Next(); {
				_, v := lt.Element()
				out[v.AsString()] = append(out[v.AsString()], k)
			}
		}
		if len(out) == 0 {
			return cty.MapValEmpty(cty.List(cty.String)), nil
		}
		m := map[string]cty.Value{}
		for k, l := range out {
			m[k] = cty.ListVal(l)
		}
		return cty.MapVal(m), nil
	},
})

var tfTimeCmp = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "a", Type: cty.String}, {Name: "b", Type: cty.String}},
	Type:   function.StaticReturnType(cty.Number),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		a, err := time.Parse(time.RFC3339, args[0].AsString())
		if err != nil {
			return cty.NilVal, err
		}
		b, err := time.Parse(time.RFC3339, args[1].AsString())
		if err != nil {
			return cty.NilVal, err
		}
		return cty.NumberIntVal(int64(a.Compare(b))), nil
	},
})

var tfBase64Gzip = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "str", Type: cty.String}},
	Type:   function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		var b bytes.Buffer
		w := gzip.NewWriter(&b)
		w.Write([]byte(args[0].AsString()))
		if err := w.Close(); err != nil {
			return cty.NilVal, err
		}
		return cty.StringVal(base64.StdEncoding.EncodeToString(b.Bytes())), nil
	},
})

var tfTextEncodeBase64 = tfTextCodec("textencodebase64", func(enc encoding.Encoding, s string) (string, error) {
	b, err := enc.NewEncoder().Bytes([]byte(s))
	return base64.StdEncoding.EncodeToString(b), err
})

var tfTextDecodeBase64 = tfTextCodec("textdecodebase64", func(enc encoding.Encoding, s string) (string, error) {
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return "", err
	}
	b, err := enc.NewDecoder().Bytes(raw)
	return string(b), err
})

// tfTextCodec is textencodebase64 or textdecodebase64: f with the
// character encoding that the second argument names (IANA names).
func tfTextCodec(name string, f func(enc encoding.Encoding, s string) (string, error)) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "string", Type: cty.String}, {Name: "encoding", Type: cty.String}},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			enc, err := ianaindex.IANA.Encoding(args[1].AsString())
			if err != nil || enc == nil {
				return cty.NilVal, fmt.Errorf("%s: unknown encoding %q", name, args[1].AsString())
			}
			out, err := f(enc, args[0].AsString())
			if err != nil {
				return cty.NilVal, err
			}
			return cty.StringVal(out), nil
		},
	})
}

// tfHash hashes a string, or the file it names when resolve is set.
func tfHash(h func() hash.Hash, enc func([]byte) string, resolve func(string) string) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "str", Type: cty.String}},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			b := []byte(args[0].AsString())
			if resolve != nil {
				var err error
				if b, err = os.ReadFile(resolve(args[0].AsString())); err != nil {
					return cty.NilVal, err
				}
			}
			s := h()
			s.Write(b)
			return cty.StringVal(enc(s.Sum(nil))), nil
		},
	})
}
