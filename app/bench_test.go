package app

import "testing"

// BenchmarkLoad measures reading each kind of definition (parse, evaluate,
// map, validate, read the code file).
func BenchmarkLoad(b *testing.B) {
	for _, c := range []struct {
		name, path string
		o          LoadOptions
	}{
		{"native", "../examples/spend/app.yaml", LoadOptions{}},
		{"describe", "../examples/spend-describe/describe.json", LoadOptions{}},
		{"cloudformation", "../examples/spend-cloudformation/template.yaml", LoadOptions{}},
		{"terraform", "../examples/spend-terraform/main.tf", LoadOptions{}},
	} {
		b.Run(c.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, _, err := LoadWith(c.path, c.o); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
