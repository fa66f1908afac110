package agents

import (
	"bytes"
	"context"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"
)

// SchemaOf derives the JSON Schema of the arguments object of a tool from
// the Go struct type T, so that the model is told exactly what NewTool will
// decode:
//
//   - Property names are the fields' json names; fields tagged json:"-"
//     and unexported fields are left out; embedded structs are flattened,
//     as encoding/json does.
//   - A `description:"..."` tag describes a property; an `enum:"a,b,c"` tag
//     lists its allowed values.
//   - A field is required unless it is a pointer or its json tag has
//     omitempty or omitzero. A `required:"true"` or `required:"false"` tag
//     overrides the rule.
//   - Go types map to JSON types: strings, booleans, integers, numbers,
//     slices and arrays (arrays of items), maps with string keys and
//     structs (objects), time.Time (a date-time string); json.RawMessage
//     and interfaces accept any value. Types that implement
//     encoding.TextMarshaler are strings.
//
// Objects derived from structs forbid properties they do not declare.
func SchemaOf[T any]() (map[string]any, error) {
	t := reflect.TypeFor[T]()
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("tool arguments must be a struct, not %s", t)
	}
	return schemaOf(t, nil)
}

var (
	timeType       = reflect.TypeFor[time.Time]()
	rawMessageType = reflect.TypeFor[json.RawMessage]()
	textMarshaler  = reflect.TypeFor[encoding.TextMarshaler]()
)

func schemaOf(t reflect.Type, seen []reflect.Type) (map[string]any, error) {
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}, nil
	case t == rawMessageType:
		return map[string]any{}, nil
	case t.Implements(textMarshaler) || reflect.PointerTo(t).Implements(textMarshaler):
		return map[string]any{"type": "string"}, nil
	}
	switch t.Kind() {
	case reflect.Pointer:
		return schemaOf(t.Elem(), seen)
	case reflect.String:
		return map[string]any{"type": "string"}, nil
	case reflect.Bool:
		return map[string]any{"type": "boolean"}, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}, nil
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}, nil
	case reflect.Interface:
		return map[string]any{}, nil
	case reflect.Slice, reflect.Array:
		items, err := schemaOf(t.Elem(), seen)
		if err != nil {
			return nil, err
		}
		return map[string]any{"type": "array", "items": items}, nil
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			return nil, fmt.Errorf("map %s: JSON objects need string keys", t)
		}
		vals, err := schemaOf(t.Elem(), seen)
		if err != nil {
			return nil, err
		}
		return map[string]any{"type": "object", "additionalProperties": vals}, nil
	case reflect.Struct:
		if slices.Contains(seen, t) {
			return nil, fmt.Errorf("type %s refers to itself; give its schema explicitly", t)
		}
		return structSchema(t, append(seen, t))
	}
	return nil, fmt.Errorf("type %s has no JSON Schema (kind %s)", t, t.Kind())
}

func structSchema(t reflect.Type, seen []reflect.Type) (map[string]any, error) {
	props := map[string]any{}
	required := []string{}
	if err := addFields(t, seen, props, &required); err != nil {
		return nil, err
	}
	s := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		s["required"] = required
	}
	return s, nil
}

func addFields(t reflect.Type, seen []reflect.Type, props map[string]any, required *[]string) error {
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		ft := f.Type
		if f.Anonymous && name == "" {
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				if err := addFields(ft, seen, props, required); err != nil {
					return err
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		s, err := schemaOf(f.Type, seen)
		if err != nil {
			return fmt.Errorf("field %s: %w", f.Name, err)
		}
		if d := f.Tag.Get("description"); d != "" {
			s["description"] = d
		}
		if e := f.Tag.Get("enum"); e != "" {
			var vals []any
			for v := range strings.SplitSeq(e, ",") {
				vals = append(vals, strings.TrimSpace(v))
			}
			s["enum"] = vals
		}
		props[name] = s
		req := f.Type.Kind() != reflect.Pointer && !hasOpt(opts, "omitempty") && !hasOpt(opts, "omitzero")
		switch f.Tag.Get("required") {
		case "true":
			req = true
		case "false":
			req = false
		}
		if req {
			*required = append(*required, name)
		}
	}
	return nil
}

func hasOpt(opts, want string) bool {
	for o := range strings.SplitSeq(opts, ",") {
		if o == want {
			return true
		}
	}
	return false
}

// NewTool offers the Go function fn to models as the tool name, with the
// JSON Schema of its arguments derived from Args by SchemaOf. When the
// model calls the tool, its arguments are decoded into an Args (missing
// required arguments and values of the wrong type are reported back to the
// model as the tool's result) and fn's answer or error is the result.
func NewTool[Args any](name, description string, fn func(ctx context.Context, args Args) (string, error)) (Tool, error) {
	if name == "" || fn == nil {
		return Tool{}, errors.New("NewTool: a tool needs a name and a function")
	}
	schema, err := SchemaOf[Args]()
	if err != nil {
		return Tool{}, fmt.Errorf("tool %s: %w", name, err)
	}
	req, _ := schema["required"].([]string)
	return Tool{
		Name:        name,
		Description: description,
		Parameters:  schema,
		Func: func(ctx context.Context, raw json.RawMessage) (string, error) {
			var present map[string]json.RawMessage
			if err := json.Unmarshal(raw, &present); err != nil {
				return "", fmt.Errorf("the arguments must be a JSON object: %w", err)
			}
			var missing []string
			for _, r := range req {
				if _, ok := present[r]; !ok {
					missing = append(missing, r)
				}
			}
			if len(missing) > 0 {
				return "", fmt.Errorf("missing required argument(s): %s", strings.Join(missing, ", "))
			}
			var args Args
			dec := json.NewDecoder(bytes.NewReader(raw))
			if err := dec.Decode(&args); err != nil {
				return "", fmt.Errorf("bad arguments: %w", err)
			}
			return fn(ctx, args)
		},
	}, nil
}
