"""SAML single sign-on tests.

lxml before xmlsec, as python3-saml imports them: xmlsec refuses to load ("lxml & xmlsec
libxml2 library version mismatch") unless both wheels bundle the same libxml2. Importing them
here, before any SSO test module or fixture, makes a mismatched install stop this suite at
collection with that message, rather than in whichever test happens to import first.
"""

import lxml.etree
import xmlsec

assert xmlsec.get_libxml_version() == lxml.etree.LIBXML_VERSION
