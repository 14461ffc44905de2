// load -> look up best configs -> plan, with a clear account of what is not tuned -> build.
#include "tools/CompileModel.h"

#include <cstdio>
#include <filesystem>

#include "db/DatabasePath.h"
#include "db/SqliteDatabase.h"

namespace autotune::tools {

codegen::ModelPlan plan_onnx_model(const std::string &model_path, const CompileOptions &opt) {
  graph::Graph optimized = tuner::load_optimized_model(model_path, opt.load);
  codegen::BuildOptions bopt;
  bopt.parallel = opt.parallel;
  bopt.target = opt.target;
  if (!opt.use_db) return codegen::plan_model(optimized, bopt);
  std::string db_path = opt.db_path;
  if (db_path.empty() && std::filesystem::exists(db::default_database_path())) {
    db_path = db::default_database_path();
  }
  std::unique_ptr<db::SqliteDatabase> db;
  if (!db_path.empty()) {
    db = db::SqliteDatabase::open(db_path, db::SqliteDatabase::Mode::ReadOnly);
    std::string target = bopt.target.str();
    bopt.tuned_config = [&db, target](const std::string &key) -> std::string {
      auto best = db->best_record(key, target);
      return best ? best->config_json : std::string();
    };
  } else {
    bopt.tuned_config = [](const std::string &) { return std::string(); };
  }
  codegen::ModelPlan plan = codegen::plan_model(optimized, bopt);
  const auto &untuned = plan.untuned_kernels;
  if (!untuned.empty() && db_path.empty() && !opt.require_tuned) {
    std::fprintf(stderr,
                 "autotune: note: no tuning database (%s does not exist); %zu tunable kernel(s) "
                 "use default schedules; tune with `autotune --model %s --device local`\n",
                 db::default_database_path().c_str(), untuned.size(), model_path.c_str());
  } else if (!untuned.empty()) {
    std::string where = db_path.empty() ? "no tuning database" : "database '" + db_path + "'";
    std::string list;
    for (const std::string &k : untuned) list += "\n  " + k;
    user_check(!opt.require_tuned) << untuned.size() << " tunable kernel(s) of '" << model_path
                                   << "' have no tuning record (" << where << "):" << list;
    std::fprintf(stderr,
                 "autotune: warning: %zu tunable kernel(s) have no tuning record (%s) and use "
                 "the default schedule:%s\n",
                 untuned.size(), where.c_str(), list.c_str());
  }
  return plan;
}

std::unique_ptr<codegen::CompiledModel> compile_onnx_model(const std::string &model_path,
                                                           const CompileOptions &opt) {
  return codegen::build_model(plan_onnx_model(model_path, opt));
}

}  // namespace autotune::tools
