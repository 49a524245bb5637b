package django

// Libraries that read settings from the environment, beyond os.environ: django-environ
// (environ.Env, in call.go), environs, and python-decouple's config objects. Each returns
// the variable's name and the default the settings fall back to when it is unset.

// envLibraryCall recognises the constructors of the libraries' readers.
func envLibraryCall(q string, pos []Value, kw map[string]Value) (Value, bool) {
	switch q {
	case "environs.Env", "environs.env.Env":
		// environs: env = Env(); env.read_env(); DEBUG = env.bool("DEBUG", False)
		return Value{kind: vEnvReader, s: "environs"}, true
	case "environ.FileAwareEnv", "environ.environ.FileAwareEnv":
		return Value{kind: vEnvReader}, true
	case "decouple.AutoConfig", "decouple.Config":
		// config = AutoConfig(search_path=...); config("DEBUG", default=True, cast=bool)
		// behaves as decouple.config.
		return Value{kind: vModule, s: "decouple.config"}, true
	}
	return Value{}, false
}

// envDefaultIndex is the position of the default among a reader method's arguments.
// django-environ: env(var, cast, default), env.list/tuple/dict(var, cast, default), and
// env.bool/int/str/url...(var, default). environs: every method is (name, default).
func envDefaultIndex(reader Value, method string, called bool) int {
	if reader.s == "environs" {
		return 1
	}
	if called {
		return 2
	}
	switch method {
	case "list", "tuple", "dict":
		return 2
	}
	return 1
}
