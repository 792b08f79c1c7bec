package dicom

import (
	"bytes"

	"github.com/wardhq/ward/internal/dissect"
)

// origin is an organisation's UID root as it starts Implementation Class
// UIDs: a toolkit's, which names the software, or a manufacturer's.
type origin struct {
	root         string
	software     string      // toolkit name, "" for a manufacturer's root
	version      versionRule // how the toolkit's version is read
	prefix       string      // the version name's prefix, for versionNamed
	manufacturer string      // "" for a toolkit
}

// origins lists the UID roots this package recognises. Each comment says
// where the root was checked; roots that could not be checked in public
// sources are left out (see the package comment).
var origins = []origin{
	// DCMTK: OFFIS_UID_ROOT in dcmdata/dcuid.h; Debian's dcmtk 3.6.7 sends
	// 1.2.276.0.7230010.3.0.3.6.7 and OFFIS_DCMTK_367 (testdata/store.txt).
	{root: "1.2.276.0.7230010.3", software: "DCMTK", version: versionDCMTK},
	// dcm4che: org.dcm4che.data.Implementation (1.2.40.0.13.1.1, dcm4che 2)
	// and org.dcm4che3.data.Implementation (1.2.40.0.13.1.3), version name
	// "dcm4che-" plus the version.
	{root: "1.2.40.0.13.1", software: "dcm4che", version: versionNamed, prefix: "dcm4che-"},
	// fo-dicom: DicomImplementation.ClassUID, version name "fo-dicom 4.0.0".
	{root: "1.3.6.1.4.1.30071.8", software: "fo-dicom", version: versionNamed, prefix: "fo-dicom "},
	// pynetdicom: PYNETDICOM_UID_PREFIX, the class UID is the prefix plus the
	// version ("1.2.826.0.1.3680043.9.3811.2.0.2").
	{root: "1.2.826.0.1.3680043.9.3811", software: "pynetdicom", version: versionSuffix},
	// pydicom: PYDICOM_ROOT_UID, version name "PYDICOM 2.4.0".
	{root: "1.2.826.0.1.3680043.8.498", software: "pydicom", version: versionNamed, prefix: "PYDICOM "},
	// GDCM: GDCM_IMPLEMENTATION_CLASS_UID in gdcmFileMetaInformation.cxx,
	// version name "GDCM 3.0.24".
	{root: "1.2.826.0.1.3680043.2.1143", software: "GDCM", version: versionNamed, prefix: "GDCM "},
	// OsiriX: class UID 1.3.6.1.4.1.19291.2.1 with version name OSIRIX001
	// in the file meta information of published OsiriX exports.
	{root: "1.3.6.1.4.1.19291", software: "OsiriX"},
	// PixelMed: its private SOP Classes (1.3.6.1.4.1.5962.301.x) in
	// dcm4che's registry of private UIDs.
	{root: "1.3.6.1.4.1.5962", software: "PixelMed"},

	// Manufacturers. The private SOP Classes in dcm4che's registry of
	// private UIDs (dcm4che-dict, uids-private) carry these roots: Private
	// GE … Storage (1.2.840.113619.4.x), Private Siemens CSA Non Image
	// Storage, Private Philips … Storage, Private Philips HP Live 3D
	// Storage (the HP ultrasound root), Private Toshiba US Image Storage,
	// Private Fuji CR Image Storage, Private Agfa … Transaction and
	// Private TomTec Annotation Storage.
	{root: "1.2.840.113619", manufacturer: "GE Healthcare"},
	{root: "1.3.12.2.1107.5", manufacturer: "Siemens Healthineers"},
	{root: "1.3.46.670589", manufacturer: "Philips"},
	{root: "1.2.840.113543", manufacturer: "Philips"},
	{root: "1.2.392.200036.9116", manufacturer: "Canon Medical Systems"},
	{root: "1.2.392.200036.9125", manufacturer: "Fujifilm"},
	{root: "1.2.124.113532", manufacturer: "Agfa"},
	{root: "1.2.276.0.48", manufacturer: "TomTec"},
	// Instance UIDs of Hologic mammography images (Selenia) and of Varian
	// Eclipse plans and On-Board Imager cone-beam CTs in public test data.
	{root: "1.2.840.113681", manufacturer: "Hologic"},
	{root: "1.2.246.352", manufacturer: "Varian"},
}

// findOrigin returns the origin whose root starts uid, or nil. A root must
// end at a component boundary: 1.2.246.352 does not match 1.2.246.3521.
func findOrigin(uid []byte) *origin {
	for i := range origins {
		o := &origins[i]
		if bytes.HasPrefix(uid, []byte(o.root)) &&
			(len(uid) == len(o.root) || uid[len(o.root)] == '.') {
			return o
		}
	}
	return nil
}

// software names the toolkit behind an implementation, with its version
// when the class UID or version name gives it: "DCMTK 3.6.7". It returns ""
// for a manufacturer's root or an unknown one.
func software(st *dissect.Strings, uid, name []byte) string {
	o := findOrigin(uid)
	if o == nil || o.software == "" {
		return ""
	}
	if o.version != versionNone {
		suffix := bytes.TrimPrefix(uid[len(o.root):], []byte("."))
		var buf [32]byte
		if v := o.readVersion(buf[:0], suffix, name); len(v) > 0 {
			return st.Concat(o.software, " ", st.Text(v))
		}
	}
	return o.software
}

// manufacturer returns the manufacturer whose root starts uid, or "".
func manufacturer(uid []byte) string {
	if o := findOrigin(uid); o != nil {
		return o.manufacturer
	}
	return ""
}

// dcmtkVersion reads DCMTK's version name, OFFIS_DCMTK_367 for 3.6.7, and
// failing that the class UID, whose suffix is 0. then the version.
func dcmtkVersion(dst, suffix, name []byte) []byte {
	if digits, ok := bytes.CutPrefix(name, []byte("OFFIS_DCMTK_")); ok &&
		len(digits) >= 3 && allDigits(digits) {
		// Major and minor are one digit each; the patch level takes the rest.
		v := append(dst, digits[0], '.', digits[1], '.')
		return append(v, digits[2:]...)
	}
	if v, ok := bytes.CutPrefix(suffix, []byte("0.")); ok && isVersion(v) {
		return v
	}
	return nil
}

// versionRule says where a toolkit writes its version.
type versionRule uint8

const (
	versionNone   versionRule = iota
	versionDCMTK              // dcmtkVersion
	versionNamed              // the version name is prefix and the version: "fo-dicom 4.0.0"
	versionSuffix             // the class UID carries the version after the root
)

// readVersion reads o's version from the class UID's suffix after the root
// and the version name, appending to dst when it must build it.
func (o *origin) readVersion(dst, suffix, name []byte) []byte {
	switch o.version {
	case versionDCMTK:
		return dcmtkVersion(dst, suffix, name)
	case versionNamed:
		p := o.prefix
		if len(name) > len(p) && bytes.EqualFold(name[:len(p)], []byte(p)) {
			if v := name[len(p):]; isVersion(v) {
				return v
			}
		}
	case versionSuffix:
		if isVersion(suffix) {
			return suffix
		}
	}
	return nil
}

// isVersion reports whether v looks like a version: a digit first, then
// digits, dots and the letters of suffixes such as "rc1".
func isVersion(v []byte) bool {
	if len(v) == 0 || v[0] < '0' || v[0] > '9' {
		return false
	}
	for _, c := range v {
		if !('0' <= c && c <= '9' || c == '.' || c == '-' || 'a' <= c && c <= 'z') {
			return false
		}
	}
	return true
}

func allDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
