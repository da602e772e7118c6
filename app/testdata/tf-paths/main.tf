# file() and path.module: a module reads its own files through
# "${path.module}/..."; a relative path alone is read from the root.
module "app" {
  source  = "./modules/app"
  prefix  = "SOURCE_SQL_STREAM"
  sql_dir = "${path.module}/modules/app/sql"
}

output "code_length" {
  value = module.app.code_length
}
