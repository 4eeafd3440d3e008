/* onvif_ns.h - the XML namespaces of the SOAP messages camwatch sends and reads (ONVIF,
 * SOAP, WS-Addressing, WS-Discovery, WS-Security), written once for the .c files that build
 * and read them. Constants only; include it from .c files, not from headers. */
#ifndef CW_ONVIF_NS_H
#define CW_ONVIF_NS_H

#define NS_SOAP12 "http://www.w3.org/2003/05/soap-envelope"
#define NS_SOAP11 "http://schemas.xmlsoap.org/soap/envelope/"
#define NS_TDS "http://www.onvif.org/ver10/device/wsdl"
#define NS_TT "http://www.onvif.org/ver10/schema"
#define NS_TRT "http://www.onvif.org/ver10/media/wsdl"
#define NS_TR2 "http://www.onvif.org/ver20/media/wsdl"
#define NS_TER "http://www.onvif.org/ver10/error"
#define NS_TSE "http://www.onvif.org/ver10/search/wsdl"
#define NS_DN "http://www.onvif.org/ver10/network/wsdl"
#define NS_WSA "http://www.w3.org/2005/08/addressing"
#define NS_WSA04 "http://schemas.xmlsoap.org/ws/2004/08/addressing" /* WS-Discovery 1.0's */
#define NS_WSD "http://schemas.xmlsoap.org/ws/2005/04/discovery"
#define NS_WSSE "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
#define NS_WSU "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"

#endif
