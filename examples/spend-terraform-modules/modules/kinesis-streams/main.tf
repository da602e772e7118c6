variable "names" {
  type = list(string)
}

variable "suffix" {
  type = string
}

variable "shards" {
  type    = map(number)
  default = {}
}

resource "aws_kinesis_stream" "this" {
  for_each    = toset(var.names)
  name        = "${each.value}-${var.suffix}"
  shard_count = lookup(var.shards, each.value, 1)
}

output "arns" {
  value = { for k, s in aws_kinesis_stream.this : k => s.arn }
}
