package config

import "github.com/hashicorp/hcl/v2"

var fileSchema = &hcl.BodySchema{
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "azapply"},
		{Type: "provider"},
		{Type: "variable", LabelNames: []string{"name"}},
		{Type: "locals"},
		{Type: "resource", LabelNames: []string{"name"}},
		{Type: "data", LabelNames: []string{"name"}},
		{Type: "action", LabelNames: []string{"name"}},
		{Type: "output", LabelNames: []string{"name"}},
		{Type: "import"},
		{Type: "removed"},
		{Type: "module", LabelNames: []string{"name"}},
		{Type: "moved"},
	},
}

var azapplySchema = &hcl.BodySchema{
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "backend", LabelNames: []string{"type"}},
	},
}

var backendSchemas = map[string]*hcl.BodySchema{
	"local": {Attributes: []hcl.AttributeSchema{{Name: "path"}}},
	"azureblob": {Attributes: []hcl.AttributeSchema{
		{Name: "account_url", Required: true},
		{Name: "container", Required: true},
		{Name: "key", Required: true},
	}},
}

// providerStrings maps the provider block's string attributes to their
// fields; see decodeProvider.
var providerStringAttrs = []string{
	"subscription_id", "endpoint", "cloud", "audience", "authority_host",
	"metadata_endpoint", "auth", "tenant_id", "client_id", "client_secret",
	"client_certificate_path", "client_certificate_password",
	"federated_token_file", "username", "password", "refresh",
}

var providerSchema = func() *hcl.BodySchema {
	s := &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
		{Name: "ignore_changes"},
		{Name: "adopt_existing"},
		{Name: "auxiliary_tenant_ids"},
	}}
	for _, n := range providerStringAttrs {
		s.Attributes = append(s.Attributes, hcl.AttributeSchema{Name: n})
	}
	s.Attributes = append(s.Attributes, opsAttributes...)
	return s
}()

var variableSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "type"},
		{Name: "default"},
		{Name: "description"},
		{Name: "sensitive"},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: "validation"}},
}

var validationSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "condition", Required: true},
		{Name: "error_message", Required: true},
	},
}

// resourceSchema is the schema of resource blocks; data and action blocks
// take the subsets in dataSchema and actionSchema.
var resourceSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "id", Required: true},
		{Name: "api_version", Required: true},
		{Name: "body"},
		{Name: "for_each"},
		{Name: "count"},
		{Name: "depends_on"},
		{Name: "update_method"},
		{Name: "update_body"},
		{Name: "ignore_changes"},
		{Name: "sensitive"},
		{Name: "prevent_destroy"},
		{Name: "delete_unmanaged_contents"},
		{Name: "replace_on_changes"},
		{Name: "create_before_destroy"},
		{Name: "update_in_place"},
		{Name: "array_keys"},
		{Name: "unordered"},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: "timeouts"}, {Type: "retry"}},
}

var dataSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "id", Required: true},
		{Name: "api_version", Required: true},
		{Name: "method"},
		{Name: "body"},
		{Name: "read_only"},
		{Name: "for_each"},
		{Name: "count"},
		{Name: "depends_on"},
		{Name: "sensitive"},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: "timeouts"}},
}

var actionSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "id", Required: true},
		{Name: "api_version", Required: true},
		{Name: "body"},
		{Name: "when"},
		{Name: "for_each"},
		{Name: "count"},
		{Name: "depends_on"},
		{Name: "sensitive"},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: "timeouts"}},
}

var timeoutsSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "create"},
		{Name: "update"},
		{Name: "delete"},
		{Name: "read"},
	},
}

var outputSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "value", Required: true},
		{Name: "description"},
		{Name: "sensitive"},
		{Name: "depends_on"},
	},
}

var importSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "to", Required: true},
		{Name: "id", Required: true},
	},
}

var removedSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "from", Required: true},
		{Name: "destroy", Required: true},
		{Name: "delete_unmanaged_contents"},
	},
}
