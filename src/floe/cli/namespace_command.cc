// `floe namespace create|list|drop`.
#include <cstdio>

#include "floe/cli/catalog_options.h"
#include "floe/cli/command.h"

namespace floe::cli {
namespace {

struct NamespaceOptions {
  CatalogOptions catalog;
  std::string ns;
  std::vector<std::string> properties;
};

Status RunCreate(const NamespaceOptions& o) {
  FLOE_ASSIGN_OR_RETURN(auto cat, OpenCatalog(o.catalog));
  FLOE_ASSIGN_OR_RETURN(catalog::Namespace ns, catalog::ParseNamespace(o.ns));
  FLOE_ASSIGN_OR_RETURN(auto properties, ParseProperties(o.properties));
  return cat->CreateNamespace(ns, properties);
}

Status RunList(const NamespaceOptions& o) {
  FLOE_ASSIGN_OR_RETURN(auto cat, OpenCatalog(o.catalog));
  catalog::Namespace parent;
  if (!o.ns.empty()) {
    FLOE_ASSIGN_OR_RETURN(parent, catalog::ParseNamespace(o.ns));
  }
  FLOE_ASSIGN_OR_RETURN(auto namespaces, cat->ListNamespaces(parent));
  for (const auto& ns : namespaces) std::printf("%s\n", catalog::NamespaceToString(ns).c_str());
  return Status::OK();
}

Status RunDrop(const NamespaceOptions& o) {
  FLOE_ASSIGN_OR_RETURN(auto cat, OpenCatalog(o.catalog));
  FLOE_ASSIGN_OR_RETURN(catalog::Namespace ns, catalog::ParseNamespace(o.ns));
  return cat->DropNamespace(ns);
}

}  // namespace

void AddNamespaceCommand(CLI::App& app) {
  CLI::App* cmd =
      app.add_subcommand("namespace", "Create, list and drop namespaces in the catalog");
  cmd->require_subcommand(1);
  auto o = std::make_shared<NamespaceOptions>();

  CLI::App* create = cmd->add_subcommand("create", "Create a namespace (a.b for nested ones)");
  create->add_option("NAMESPACE", o->ns)->required();
  create->add_option("--property", o->properties, "KEY=VALUE, repeatable")->allow_extra_args(false);
  AddCatalogOptions(create, o->catalog);
  create->callback([o] { ExitOnError(RunCreate(*o)); });

  CLI::App* list = cmd->add_subcommand("list", "List namespaces (under PARENT if given)");
  list->add_option("PARENT", o->ns);
  AddCatalogOptions(list, o->catalog);
  list->callback([o] { ExitOnError(RunList(*o)); });

  CLI::App* drop = cmd->add_subcommand("drop", "Drop an empty namespace");
  drop->add_option("NAMESPACE", o->ns)->required();
  AddCatalogOptions(drop, o->catalog);
  drop->callback([o] { ExitOnError(RunDrop(*o)); });
}

}  // namespace floe::cli
