#!/bin/sh
# Debian packages that sdekit's WebGPU path needs on a machine without a GPU (issue 6).
#
# sdekit opens Dawn (npm `webgpu`) on its OpenGL ES backend over Mesa EGL, surfaceless platform,
# which on a GPU-less machine is Mesa's llvmpipe software rasteriser. What Dawn loads there
# (checked with LD_DEBUG=libs on Debian 12):
#   libEGL.so          Dawn dlopens the *unversioned* name, shipped only by libegl-dev
#   libEGL.so.1        the glvnd EGL dispatcher (libegl1)
#   libEGL_mesa.so.0   Mesa's EGL vendor library with the surfaceless platform (libegl-mesa0)
#   dri/swrast_dri.so  llvmpipe (libgl1-mesa-dri)
# GLES entry points come through eglGetProcAddress, so libgles2 is not needed.
# Idempotent: does nothing when the packages are already installed.
set -eu
PKGS="libegl1 libegl-dev libegl-mesa0 libgl1-mesa-dri"
missing=""
for p in $PKGS; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done
if [ -z "$missing" ]; then
  echo "setup-webgpu: already installed: $PKGS"
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
echo "setup-webgpu: installing$missing"
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends $missing
