// Package app is the native application file: the KDA API's own
// application shape (CreateApplication plus reference data sources), read
// from JSON or YAML, so a user's existing definition maps field for field.
package app

// Application is one KDA SQL application.
type Application struct {
	ApplicationName        string                `json:"ApplicationName" yaml:"ApplicationName"`
	ApplicationDescription string                `json:"ApplicationDescription,omitempty" yaml:"ApplicationDescription,omitempty"`
	ApplicationCode        string                `json:"ApplicationCode,omitempty" yaml:"ApplicationCode,omitempty"`
	ApplicationCodeFile    string                `json:"ApplicationCodeFile,omitempty" yaml:"ApplicationCodeFile,omitempty"`
	Inputs                 []Input               `json:"Inputs,omitempty" yaml:"Inputs,omitempty"`
	Outputs                []Output              `json:"Outputs,omitempty" yaml:"Outputs,omitempty"`
	ReferenceDataSources   []ReferenceDataSource `json:"ReferenceDataSources,omitempty" yaml:"ReferenceDataSources,omitempty"`

	// Dir is the folder of the application file; relative paths resolve
	// against it. CodePath is where ApplicationCode came from, for messages.
	Dir      string `json:"-" yaml:"-"`
	CodePath string `json:"-" yaml:"-"`
	// CodeLine is the 1-based line in CodePath where the SQL starts (1 for a
	// separate .sql file), so SQL errors point into the file the user edits.
	CodeLine int `json:"-" yaml:"-"`
	// Format is the kind of file the application was read from.
	Format string `json:"-" yaml:"-"`
	// Ignored lists the fields that mean something on AWS only (roles,
	// logging, identifiers, status), accepted without effect.
	Ignored []string `json:"-" yaml:"-"`
	// FieldError adds the file and line of the field an error names
	// ("Inputs[0].InputSchema.RecordColumns[1].SqlType: ..."), when known.
	FieldError func(error) error `json:"-" yaml:"-"`
}

// Input is one streaming source.
type Input struct {
	NamePrefix                         string                              `json:"NamePrefix" yaml:"NamePrefix"`
	KinesisStreamsInput                *ResourceRef                        `json:"KinesisStreamsInput,omitempty" yaml:"KinesisStreamsInput,omitempty"`
	KinesisFirehoseInput               *ResourceRef                        `json:"KinesisFirehoseInput,omitempty" yaml:"KinesisFirehoseInput,omitempty"`
	InputParallelism                   *InputParallelism                   `json:"InputParallelism,omitempty" yaml:"InputParallelism,omitempty"`
	InputProcessingConfiguration       *InputProcessingConfiguration       `json:"InputProcessingConfiguration,omitempty" yaml:"InputProcessingConfiguration,omitempty"`
	InputSchema                        SourceSchema                        `json:"InputSchema" yaml:"InputSchema"`
	InputStartingPositionConfiguration *InputStartingPositionConfiguration `json:"InputStartingPositionConfiguration,omitempty" yaml:"InputStartingPositionConfiguration,omitempty"`
}

// ResourceRef names an AWS resource. RoleARN is accepted and ignored.
type ResourceRef struct {
	ResourceARN string `json:"ResourceARN" yaml:"ResourceARN"`
	RoleARN     string `json:"RoleARN,omitempty" yaml:"RoleARN,omitempty"`
}

// InputParallelism is the number of in-application streams for one input.
type InputParallelism struct {
	Count int `json:"Count" yaml:"Count"`
}

// InputProcessingConfiguration is a Lambda preprocessor (not run locally).
type InputProcessingConfiguration struct {
	InputLambdaProcessor *ResourceRef `json:"InputLambdaProcessor,omitempty" yaml:"InputLambdaProcessor,omitempty"`
}

// InputStartingPositionConfiguration is NOW, TRIM_HORIZON or LAST_STOPPED_POINT.
type InputStartingPositionConfiguration struct {
	InputStartingPosition string `json:"InputStartingPosition" yaml:"InputStartingPosition"`
}

// SourceSchema describes how records map to columns (inputs and reference data).
type SourceSchema struct {
	RecordFormat   RecordFormat   `json:"RecordFormat" yaml:"RecordFormat"`
	RecordEncoding string         `json:"RecordEncoding,omitempty" yaml:"RecordEncoding,omitempty"`
	RecordColumns  []RecordColumn `json:"RecordColumns" yaml:"RecordColumns"`
}

// RecordFormat is JSON or CSV with its mapping parameters.
type RecordFormat struct {
	RecordFormatType  string             `json:"RecordFormatType" yaml:"RecordFormatType"`
	MappingParameters *MappingParameters `json:"MappingParameters,omitempty" yaml:"MappingParameters,omitempty"`
}

// MappingParameters holds the JSON or CSV parameters.
type MappingParameters struct {
	JSONMappingParameters *JSONMappingParameters `json:"JSONMappingParameters,omitempty" yaml:"JSONMappingParameters,omitempty"`
	CSVMappingParameters  *CSVMappingParameters  `json:"CSVMappingParameters,omitempty" yaml:"CSVMappingParameters,omitempty"`
}

// JSONMappingParameters selects the row object(s) in a JSON record.
type JSONMappingParameters struct {
	RecordRowPath string `json:"RecordRowPath" yaml:"RecordRowPath"`
}

// CSVMappingParameters gives the row and column delimiters.
type CSVMappingParameters struct {
	RecordRowDelimiter    string `json:"RecordRowDelimiter" yaml:"RecordRowDelimiter"`
	RecordColumnDelimiter string `json:"RecordColumnDelimiter" yaml:"RecordColumnDelimiter"`
}

// RecordColumn is one column: its SQL name, type and JSONPath mapping.
type RecordColumn struct {
	Name      string `json:"Name" yaml:"Name"`
	Mapping   string `json:"Mapping,omitempty" yaml:"Mapping,omitempty"`
	SqlType   string `json:"SqlType" yaml:"SqlType"`
	IsDropped bool   `json:"IsDropped,omitempty" yaml:"IsDropped,omitempty"`
}

// ReferenceDataSource is a reference table loaded from S3 (or a local file).
type ReferenceDataSource struct {
	TableName             string                 `json:"TableName" yaml:"TableName"`
	S3ReferenceDataSource *S3ReferenceDataSource `json:"S3ReferenceDataSource,omitempty" yaml:"S3ReferenceDataSource,omitempty"`
	ReferenceSchema       SourceSchema           `json:"ReferenceSchema" yaml:"ReferenceSchema"`
}

// S3ReferenceDataSource locates the reference object.
type S3ReferenceDataSource struct {
	BucketARN        string `json:"BucketARN" yaml:"BucketARN"`
	FileKey          string `json:"FileKey" yaml:"FileKey"`
	ReferenceRoleARN string `json:"ReferenceRoleARN,omitempty" yaml:"ReferenceRoleARN,omitempty"`
}

// Output sends an in-application stream to a destination.
type Output struct {
	Name                  string            `json:"Name" yaml:"Name"`
	DestinationSchema     DestinationSchema `json:"DestinationSchema" yaml:"DestinationSchema"`
	KinesisStreamsOutput  *ResourceRef      `json:"KinesisStreamsOutput,omitempty" yaml:"KinesisStreamsOutput,omitempty"`
	KinesisFirehoseOutput *ResourceRef      `json:"KinesisFirehoseOutput,omitempty" yaml:"KinesisFirehoseOutput,omitempty"`
	LambdaOutput          *ResourceRef      `json:"LambdaOutput,omitempty" yaml:"LambdaOutput,omitempty"`
}

// DestinationSchema is the output record format: JSON or CSV.
type DestinationSchema struct {
	RecordFormatType string `json:"RecordFormatType" yaml:"RecordFormatType"`
}

// Parallelism is the input's in-application stream count (default 1).
func (in Input) Parallelism() int {
	if in.InputParallelism == nil || in.InputParallelism.Count < 1 {
		return 1
	}
	return in.InputParallelism.Count
}
