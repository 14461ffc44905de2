// Choosing a fused kernel's schedule for a build: default, or its template with a tuned config.
#include "searchspace/ScheduleKernel.h"

#include "searchspace/DefaultSchedule.h"
#include "searchspace/Task.h"

namespace autotune::searchspace {

te::Schedule schedule_kernel(const graph::FusedCompute &fc, const std::string &config_json,
                             int float_lanes, bool parallel) {
  if (config_json.empty()) return default_schedule(fc.outputs, CpuOptions{float_lanes, parallel});
  const ScheduleTemplate *tmpl = find_template(fc);
  if (!tmpl) {
    std::string outputs;
    for (const te::Tensor &t : fc.outputs) {
      outputs += (outputs.empty() ? "'" : ", '") + t.name() + "'";
    }
    user_error << "kernel computing " << outputs << " has no schedule template, so config "
               << config_json << " cannot apply to it (was it tuned for another model or version?)";
  }
  std::string kernel = std::string(tmpl->op_kind()) + " " + tmpl->describe(fc);
  try {
    ConfigSpace space = tmpl->space(fc, float_lanes);
    space.set_name(kernel);
    Config cfg = space.from_json(config_json);
    return tmpl->apply(fc, cfg, float_lanes, parallel);
  } catch (const UserError &e) {
    user_error << "tuned config of kernel '" << kernel << "' does not apply: " << e.what();
  }
  return te::Schedule();
}

}  // namespace autotune::searchspace
