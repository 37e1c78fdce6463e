# SPDX-License-Identifier: Apache-2.0
# berth-native (`berth check` on the build host, for berth_services.bbclass)
# links inih: meta-oe's recipe has no native variant of its own.
BBCLASSEXTEND += "native"
