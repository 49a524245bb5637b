package report

import "reflect"

// visibleCopy returns a deep copy of r with every string shown the way the text view shows
// it (EscapeText): html/template keeps a hostile string from breaking out of its HTML context,
// but a right-to-left override or a zero-width character in a file name or a snippet would
// still make the page read differently from what the file holds. The page is for people, as
// the terminal is; JSON and SARIF keep the exact values.
func visibleCopy(r *Report) *Report {
	return visible(reflect.ValueOf(r)).Interface().(*Report)
}

func visible(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.String:
		out := reflect.New(v.Type()).Elem()
		out.SetString(EscapeText(v.String()))
		return out
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		out := reflect.New(v.Type().Elem())
		out.Elem().Set(visible(v.Elem()))
		return out
	case reflect.Struct:
		out := reflect.New(v.Type()).Elem()
		out.Set(v) // unexported fields (a time.Time's) as they are
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				out.Field(i).Set(visible(v.Field(i)))
			}
		}
		return out
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		out := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			out.Index(i).Set(visible(v.Index(i)))
		}
		return out
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		out := reflect.MakeMapWithSize(v.Type(), v.Len())
		for it := v.MapRange(); it.Next(); {
			out.SetMapIndex(it.Key(), visible(it.Value()))
		}
		return out
	}
	return v
}
