package main

import (
	"flag"
	"fmt"
	"strings"

	"github.com/streamsql/streamsql/app"
)

// loadFlags are the flags that reach the application loader: CloudFormation
// parameters and resources, Terraform variables, and the choice of one
// application in a file that defines several.
type loadFlags struct {
	params, resources, vars, varFiles multi
	app                               string
}

func addLoadFlags(fs *flag.FlagSet) *loadFlags {
	l := &loadFlags{}
	fs.Var(&l.params, "parameter", "CloudFormation: give a template parameter a value `KEY=VALUE`; repeatable")
	fs.Var(&l.resources, "resource", "CloudFormation/Terraform: the value of a reference to another resource, `ID=VALUE` (ID: a logical ID, LOGICALID.Attr, or a Terraform address type.name[.attr]); repeatable")
	fs.StringVar(&l.app, "app", "", "the application to use when the file defines several (name, logical ID or resource name)")
	fs.Var(&l.vars, "var", "Terraform: set an input variable `NAME=VALUE`; repeatable")
	fs.Var(&l.varFiles, "var-file", "Terraform: read variables from a .tfvars `FILE`; repeatable")
	return l
}

func (l *loadFlags) options() (app.LoadOptions, error) {
	o := app.LoadOptions{App: l.app, VarFiles: l.varFiles}
	var err error
	if o.Parameters, err = pairs("--parameter", l.params); err != nil {
		return o, err
	}
	if o.Resources, err = pairs("--resource", l.resources); err != nil {
		return o, err
	}
	if o.Vars, err = pairs("-var", l.vars); err != nil {
		return o, err
	}
	return o, nil
}

func pairs(flagName string, values []string) (map[string]string, error) {
	m := map[string]string{}
	for _, v := range values {
		k, val, ok := strings.Cut(v, "=")
		if !ok || k == "" {
			return nil, &usageError{fmt.Sprintf("%s %q: want KEY=VALUE", flagName, v)}
		}
		m[k] = val
	}
	return m, nil
}
