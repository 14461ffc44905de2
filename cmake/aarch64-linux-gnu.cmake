# Toolchain file for cross-compiling to 64-bit ARM Linux (aarch64-linux-gnu) with Debian's
# g++-aarch64-linux-gnu. Programs are run through qemu-aarch64 (binfmt_misc is not assumed), and
# libraries, headers and CMake packages are looked up only in the aarch64 sysroot, so nothing
# from the host's /usr/include or /usr/lib leaks in. Used by scripts/build_aarch64_rpc.sh:
#   cmake -S . -B build-aarch64 -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)

# The sysroot of Debian's cross toolchain (libc6-dev-arm64-cross and friends).
set(AUTOTUNE_AARCH64_SYSROOT /usr/aarch64-linux-gnu CACHE PATH "aarch64 sysroot")
set(CMAKE_FIND_ROOT_PATH ${AUTOTUNE_AARCH64_SYSROOT})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)  # build tools (qemu, ...) are host programs
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
# Host package configs (e.g. BoostConfig.cmake) would point at /usr/include, which shadows the
# aarch64 glibc headers: header-only dependencies are provided by CMakeLists.txt instead.
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# add_test and try_run execute aarch64 programs through the user-mode emulator.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64;-L;${AUTOTUNE_AARCH64_SYSROOT})
