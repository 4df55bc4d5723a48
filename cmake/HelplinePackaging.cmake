# Install layout and the Debian package (CPack DEB), from the same build.
#
#   /usr/bin/helpline                      the binary
#   /usr/share/helpline/{directory,engine,geo,schema} shipped data; the binary
#                                          finds it beside itself (daemon/data_dir.h)
#   /etc/helpline/helpline.conf            conffile (config/helpline.conf.example)
#   /lib/systemd/system/helpline.service, helpline-refresh-directory.{service,timer}
#   /usr/libexec/helpline/refresh-directory  scripts/refresh-directory, for the timer
#   /usr/share/man/man1/helpline.1.gz      docs/helpline.1
#   /usr/share/doc/helpline/               copyright, changelog.gz
#   /usr/share/lintian/overrides/helpline  each override explained there
#
# Maintainer scripts (packaging/debian/): postinst adds the `helpline` system
# user and /var/lib/helpline, writes /etc/helpline/helpline.env (mode 0600)
# with a fresh sender secret on first install, and tells systemd about the
# units (enabled, not started: Redis needs a directory first); prerm stops
# the service; postrm purge removes the state and the env file.
# `scripts/package` configures a Release tree with Debian's hardening flags
# and runs cpack; tests/package/package_test.sh unpacks the result.

include(GNUInstallDirs)

set(HELPLINE_PKG_DIR ${PROJECT_SOURCE_DIR}/packaging/debian)

install(TARGETS helpline RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/data/directory ${PROJECT_SOURCE_DIR}/data/engine ${PROJECT_SOURCE_DIR}/data/geo
                  ${PROJECT_SOURCE_DIR}/data/schema
        DESTINATION ${CMAKE_INSTALL_DATADIR}/helpline
        FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
# Absolute: /etc whatever the prefix (Debian's FHS layout).
install(FILES ${PROJECT_SOURCE_DIR}/config/helpline.conf.example
        DESTINATION /etc/helpline RENAME helpline.conf)
# systemd units (packaging/systemd/) where Debian 12 keeps packaged ones, and
# the refresh script the timer runs.
install(FILES ${PROJECT_SOURCE_DIR}/packaging/systemd/helpline.service
              ${PROJECT_SOURCE_DIR}/packaging/systemd/helpline-refresh-directory.service
              ${PROJECT_SOURCE_DIR}/packaging/systemd/helpline-refresh-directory.timer
        DESTINATION /lib/systemd/system)
install(PROGRAMS ${PROJECT_SOURCE_DIR}/scripts/refresh-directory DESTINATION ${CMAKE_INSTALL_LIBEXECDIR}/helpline)

# Compressed with -9n (no name, no time stamp) so the package is reproducible.
set(HELPLINE_MAN_GZ ${CMAKE_CURRENT_BINARY_DIR}/packaging/helpline.1.gz)
set(HELPLINE_CHANGELOG_GZ ${CMAKE_CURRENT_BINARY_DIR}/packaging/changelog.gz)
add_custom_command(OUTPUT ${HELPLINE_MAN_GZ} ${HELPLINE_CHANGELOG_GZ}
  COMMAND ${CMAKE_COMMAND} -E copy ${PROJECT_SOURCE_DIR}/docs/helpline.1 ${CMAKE_CURRENT_BINARY_DIR}/packaging/helpline.1
  COMMAND ${CMAKE_COMMAND} -E copy ${HELPLINE_PKG_DIR}/changelog ${CMAKE_CURRENT_BINARY_DIR}/packaging/changelog
  COMMAND gzip -9nf ${CMAKE_CURRENT_BINARY_DIR}/packaging/helpline.1 ${CMAKE_CURRENT_BINARY_DIR}/packaging/changelog
  DEPENDS ${PROJECT_SOURCE_DIR}/docs/helpline.1 ${HELPLINE_PKG_DIR}/changelog
  COMMENT "Compressing the man page and changelog"
  VERBATIM)
add_custom_target(helpline_package_docs ALL DEPENDS ${HELPLINE_MAN_GZ} ${HELPLINE_CHANGELOG_GZ})
install(FILES ${HELPLINE_MAN_GZ} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${HELPLINE_PKG_DIR}/copyright ${HELPLINE_CHANGELOG_GZ}
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES ${HELPLINE_PKG_DIR}/lintian-overrides
        DESTINATION ${CMAKE_INSTALL_DATADIR}/lintian/overrides RENAME helpline)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME helpline)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_CONTACT "helpline maintainers <maintainers@helpline.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "addiction, overdose and harm-reduction help by text message")
# The long description only: CPack puts CPACK_PACKAGE_DESCRIPTION_SUMMARY
# first and indents every line (an empty line becomes " .").
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
"A daemon that answers text messages (Twilio, Vonage, Telnyx, Telegram and
a JSON chat webhook) with the helplines serving the sender's place, from a
sourced and validated directory kept in Redis. An overdose in progress
gets the emergency number first, a suicide risk gets 988 first.

The same binary validates, loads and rolls back directory versions and
simulates replies. The shipped directory covers every US state, DC, Puerto
Rico and every Canadian province and territory.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://github.com/helpline/helpline")
# Shared-library dependencies come from dpkg-shlibdeps; adduser for postinst.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "redis-server")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "curl")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${HELPLINE_PKG_DIR}/conffiles ${HELPLINE_PKG_DIR}/postinst ${HELPLINE_PKG_DIR}/prerm ${HELPLINE_PKG_DIR}/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
