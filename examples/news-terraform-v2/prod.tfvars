clicks_stream_arn = "arn:aws:kinesis:us-east-1:123456789012:stream/clicks"
reference_bucket  = "news-reference"
