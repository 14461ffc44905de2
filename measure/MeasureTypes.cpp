// Conversions between the host-side measurement types and their wire forms.
#include "measure/MeasureTypes.h"

namespace autotune::measure {

BufferSpec to_buffer_spec(const ArgSpec &a) {
  user_check(a.dtype.is_scalar() && !a.dtype.is_handle())
      << "kernel argument of type " << a.dtype.str()
      << " cannot be measured: arguments are buffers of scalar elements";
  BufferSpec s;
  s.shape = a.shape;
  s.dtype = a.dtype.str();
  s.is_output = a.is_output;
  return s;
}

}  // namespace autotune::measure
